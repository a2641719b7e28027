using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Merchant.Api.Telemetry;

/// <summary>Aggregates this instance's instruments in memory so ops can read them without a collector.</summary>
public sealed class MetricsSnapshot : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Name, string Tags), Series> _series = new();

    public MetricsSnapshot()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MerchantTelemetry.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Record(i, value, tags));
        _listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Record(i, value, tags));
        _listener.Start();
    }

    public IReadOnlyList<MetricView> Read()
    {
        _listener.RecordObservableInstruments();
        return [.. _series.OrderBy(s => s.Key.Name).ThenBy(s => s.Key.Tags).Select(s => s.Value.View(s.Key.Name, s.Key.Tags))];
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = (instrument.Name, string.Join(',', tags.ToArray().OrderBy(t => t.Key).Select(t => $"{t.Key}={t.Value}")));
        var kind = instrument switch
        {
            Histogram<double> or Histogram<long> => "histogram",
            ObservableGauge<long> or ObservableGauge<double> => "gauge",
            _ => "counter",
        };
        _series.GetOrAdd(key, _ => new Series(kind, instrument.Unit, instrument.IsObservable)).Add(value);
    }

    // An observable instrument reports its current value (an observable counter, its running total) at each read.
    private sealed class Series(string kind, string? unit, bool observed)
    {
        private const int Reservoir = 2048;
        private readonly object _gate = new();
        private readonly double[] _recent = new double[Reservoir];
        private long _count;
        private double _sum;
        private double _last;

        public void Add(double value)
        {
            lock (_gate)
            {
                _recent[_count % Reservoir] = value;
                _count++;
                _sum += value;
                _last = value;
            }
        }

        public MetricView View(string name, string tags)
        {
            lock (_gate)
            {
                if (kind != "histogram")
                {
                    return new MetricView(name, tags, kind, unit, observed ? _last : _sum, _count, null, null, null);
                }

                // Percentiles over the most recent measurements: enough to see a trend, not a statistics engine.
                var sample = _recent.Take((int)Math.Min(_count, Reservoir)).Order().ToArray();
                return new MetricView(name, tags, kind, unit, _sum, _count, _count == 0 ? 0 : _sum / _count,
                    Percentile(sample, 0.50), Percentile(sample, 0.99));
            }
        }

        private static double? Percentile(double[] sorted, double p) =>
            sorted.Length == 0 ? null : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }
}

public sealed record MetricView(string Name, string Tags, string Kind, string? Unit, double Value, long Count, double? Mean, double? P50, double? P99);
