using System.Globalization;
using System.Text;
using Merchant.Testing;

namespace Merchant.Bench;

/// <summary>Markdown results: printed to stdout and kept under bench/results/ (git-ignored) with the latency distributions.</summary>
public sealed class Report
{
    private readonly StringBuilder _text = new();
    private readonly string _directory;
    private readonly string _stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);

    public Report()
    {
        _directory = Path.Combine(ApiProcess.RepositoryRoot(), "bench", "results");
        Directory.CreateDirectory(_directory);
    }

    public void Line(string text = "")
    {
        _text.AppendLine(text);
        Console.WriteLine(text);
    }

    public void Table(string[] header, IEnumerable<string[]> rows)
    {
        Line("| " + string.Join(" | ", header) + " |");
        Line("|" + string.Concat(header.Select(h => h.Length > 0 && char.IsDigit(h[0]) ? "---:|" : "---|")));
        foreach (var row in rows)
        {
            Line("| " + string.Join(" | ", row) + " |");
        }

        Line();
    }

    public void Distribution(string name, Histogram histogram) =>
        File.WriteAllText(Path.Combine(_directory, $"{_stamp}-{name}.hgrm.txt"), histogram.Distribution());

    public string Save(string command)
    {
        var path = Path.Combine(_directory, $"{_stamp}-{command}.md");
        File.WriteAllText(path, _text.ToString());
        return path;
    }

    public static string Ms(double value) => value.ToString(value < 10 ? "F2" : "F1", CultureInfo.InvariantCulture);

    public static string N(double value, string format = "F0") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>The machine, as the README's figures table states it.</summary>
    public static string Machine()
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        var memKb = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        return $"{Environment.ProcessorCount} cores ({cpu}), {double.Parse(memKb, CultureInfo.InvariantCulture) / 1024 / 1024:F1} GiB RAM, "
            + $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}";
    }
}
