using System.Globalization;
using System.Text;

namespace Merchant.Bench;

/// <summary>
/// An HdrHistogram-style latency histogram in microseconds: log-bucketed (one bucket per power of two) with
/// 128 linear sub-buckets each, so every recorded value is kept within 1/128 (≈0.8 %) of its true value,
/// from 1 µs to ~36 hours, in a fixed 35 KB array. Recording is lock-free; merge per-worker copies or share one.
/// </summary>
public sealed class Histogram
{
    private const int SubBits = 7;
    private const int Sub = 1 << SubBits;
    private const int Magnitudes = 37;
    private readonly long[] _counts = new long[Sub + (Magnitudes * Sub)];
    private long _total;
    private long _sum;
    private long _min = long.MaxValue;
    private long _max;

    public long Count => Volatile.Read(ref _total);

    public double MeanMs => Count == 0 ? 0 : _sum / (double)Count / 1000.0;

    public double MaxMs => _max / 1000.0;

    public double MinMs => Count == 0 ? 0 : _min / 1000.0;

    public void RecordTicks(long stopwatchTicks) =>
        Record((long)(stopwatchTicks * 1_000_000.0 / System.Diagnostics.Stopwatch.Frequency));

    public void Record(TimeSpan elapsed) => Record((long)(elapsed.Ticks / 10.0));

    public void Record(long micros)
    {
        if (micros < 0)
        {
            micros = 0;
        }

        Interlocked.Increment(ref _counts[Index(micros)]);
        Interlocked.Increment(ref _total);
        Interlocked.Add(ref _sum, micros);
        long seen;
        while (micros < (seen = Volatile.Read(ref _min)) && Interlocked.CompareExchange(ref _min, micros, seen) != seen)
        {
        }

        while (micros > (seen = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, micros, seen) != seen)
        {
        }
    }

    public void Add(Histogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        _total += other._total;
        _sum += other._sum;
        _min = Math.Min(_min, other._min);
        _max = Math.Max(_max, other._max);
    }

    /// <summary>The value at <paramref name="percentile"/> (0–100) in ms: the highest value equivalent to its bucket, as HdrHistogram reports.</summary>
    public double PercentileMs(double percentile)
    {
        var total = Count;
        if (total == 0)
        {
            return 0;
        }

        var target = Math.Max(1, (long)Math.Ceiling(percentile / 100.0 * total));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= target)
            {
                return Math.Min(HighestEquivalent(i), _max) / 1000.0;
            }
        }

        return _max / 1000.0;
    }

    /// <summary>The percentile distribution in HdrHistogram's text layout (value ms, percentile, count, 1/(1-p)).</summary>
    public string Distribution()
    {
        var text = new StringBuilder();
        text.AppendLine("       Value(ms)   Percentile   TotalCount 1/(1-Percentile)");
        var total = Count;
        if (total == 0)
        {
            return text.ToString();
        }

        foreach (var p in new[] { 0.0, 10, 20, 30, 40, 50, 55, 60, 65, 70, 75, 77.5, 80, 82.5, 85, 87.5, 90, 92.5, 95, 96.25, 97.5, 98.75, 99, 99.5, 99.9, 99.99, 100 })
        {
            var value = p == 0 ? MinMs : PercentileMs(p);
            var count = (long)Math.Ceiling(p / 100.0 * total);
            var inverse = p >= 100 ? "" : (1 / (1 - (p / 100.0))).ToString("F2", CultureInfo.InvariantCulture);
            text.Append(CultureInfo.InvariantCulture, $"{value,16:F3} {p / 100.0,12:F6} {count,12} {inverse,16}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"#[Mean = {MeanMs:F3} ms, Max = {MaxMs:F3} ms, Total count = {total}]\n");
        return text.ToString();
    }

    internal static int Index(long value)
    {
        if (value < Sub)
        {
            return (int)value;
        }

        var magnitude = 63 - (int)long.LeadingZeroCount(value);
        var shift = magnitude - SubBits;
        var sub = (int)(value >> shift) - Sub;
        var index = Sub + (shift * Sub) + sub;
        return Math.Min(index, Sub + (Magnitudes * Sub) - 1);
    }

    internal static long HighestEquivalent(int index)
    {
        if (index < Sub)
        {
            return index;
        }

        var shift = (index - Sub) / Sub;
        var sub = (index - Sub) % Sub;
        var lowest = (long)(Sub + sub) << shift;
        return lowest + (1L << shift) - 1;
    }
}
