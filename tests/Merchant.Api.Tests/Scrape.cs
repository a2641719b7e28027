using System.Text.RegularExpressions;

namespace Merchant.Api.Tests;

/// <summary>One sample of a Prometheus text-format scrape: the series' name (with its _bucket/_sum/_count/_total) and labels.</summary>
public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>A Prometheus text-format scrape, read the way Prometheus reads it (samples; comments skipped).</summary>
public sealed partial class Scrape(string text)
{
    public string Text { get; } = text;

    public IReadOnlyList<Sample> Samples { get; } = [.. Parse(text)];

    public IEnumerable<Sample> Series(string name) => Samples.Where(s => s.Name == name);

    public IReadOnlySet<string> Names => Samples.Select(s => s.Name).ToHashSet();

    /// <summary>GETs the scrape until <paramref name="ready"/> holds (the hosting meter records a request after its answer is sent).</summary>
    public static async Task<Scrape> WhenAsync(HttpClient client, Func<Scrape, bool> ready, string path = "/metrics")
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        Scrape scrape;
        do
        {
            scrape = new Scrape(await client.GetStringAsync(path));
            if (ready(scrape))
            {
                return scrape;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);

        return scrape;
    }

    private static IEnumerable<Sample> Parse(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var match = SampleLine().Match(line);
            if (!match.Success)
            {
                throw new FormatException($"not a sample line: {line}");
            }

            var labels = LabelPair().Matches(match.Groups["labels"].Value)
                .ToDictionary(m => m.Groups[1].Value, m => Regex.Unescape(m.Groups[2].Value));
            yield return new Sample(match.Groups["name"].Value, labels,
                double.Parse(match.Groups["value"].Value.Replace("+Inf", "Infinity", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\S+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)""")]
    private static partial Regex LabelPair();
}
