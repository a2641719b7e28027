using System.Text.Json;
using Merchant.Testing;

namespace Merchant.Reliability.Tests.Infrastructure;

/// <summary>
/// The figures of a run (trades, faults by kind, kills, instances, fuzz cases, violations), written as they grow to
/// .local/reliability/figures.json, so docs/reliability.md can quote the latest run.
/// </summary>
public static class Figures
{
    private static readonly Lock Gate = new();
    private static readonly SortedDictionary<string, long> Counters = new(StringComparer.Ordinal);
    private static readonly SortedDictionary<string, string> Notes = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, int> TradesByDatabase = new(StringComparer.Ordinal);
    private static readonly DateTimeOffset Started = DateTimeOffset.UtcNow;

    public static string Path => System.IO.Path.Combine(ApiProcess.RepositoryRoot(), ".local", "reliability", "figures.json");

    public static void Add(string counter, long by = 1)
    {
        lock (Gate)
        {
            Counters[counter] = Counters.GetValueOrDefault(counter) + by;
            Write();
        }
    }

    public static void Fault(string kind, long by = 1) => Add($"faults.{kind}", by);

    /// <summary>Records what the checker saw at the end of a test (trades are counted once per database).</summary>
    public static void Checked(string test, string database, CheckReport report)
    {
        lock (Gate)
        {
            TradesByDatabase[database] = report.Trades;
            Counters["trades"] = TradesByDatabase.Values.Sum();
            Counters["checks"] = Counters.GetValueOrDefault("checks") + 1;
            Counters["violations"] = Counters.GetValueOrDefault("violations") + report.Violations.Count;
            Notes[test] = report.Summary + (report.Violations.Count == 0 ? string.Empty : " :: " + string.Join(" | ", report.Violations.Take(5)));
            Write();
        }
    }

    public static void Note(string key, string text)
    {
        lock (Gate)
        {
            Notes[key] = text;
            Write();
        }
    }

    private static void Write()
    {
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            var json = JsonSerializer.Serialize(new { started = Started, written = DateTimeOffset.UtcNow, counters = Counters, notes = Notes },
                new JsonSerializerOptions { WriteIndented = true });
            File.WriteAllText(Path, json);
        }
        catch (IOException)
        {
            // Figures are a convenience for the docs; a test never fails for them.
        }
    }
}
