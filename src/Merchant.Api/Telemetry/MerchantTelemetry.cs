using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Merchant.Api.Telemetry;

/// <summary>
/// The service's instruments (System.Diagnostics.Metrics) and its ActivitySource. Exported with
/// OpenTelemetry when <c>Telemetry:OtlpEndpoint</c> is set, and always readable at GET /api/v1/ops/metrics.
/// </summary>
public static class MerchantTelemetry
{
    public const string Name = "Merchant";

    public static readonly ActivitySource Activities = new(Name);

    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> Checkouts = Meter.CreateCounter<long>("merchant.checkouts", description: "Checkouts by outcome");

    public static readonly Counter<long> Payments = Meter.CreateCounter<long>("merchant.payments", description: "Payments by outcome");

    public static readonly Counter<long> PaymentNotifications = Meter.CreateCounter<long>("merchant.payment.notifications",
        description: "Provider notifications by provider and outcome (stored, duplicate, rejected)");

    public static readonly Counter<long> ProviderCalls = Meter.CreateCounter<long>("merchant.payment.provider.calls",
        description: "Payment provider calls by provider, operation and outcome");

    public static readonly Counter<long> Dispenses = Meter.CreateCounter<long>("merchant.dispenses", description: "Dispense results applied, by outcome");

    public static readonly Counter<long> Refunds = Meter.CreateCounter<long>("merchant.refunds", description: "Refunds by outcome");

    public static readonly Counter<long> Callbacks = Meter.CreateCounter<long>("merchant.callbacks", description: "Platform callbacks by outcome");

    // Buckets around a dispense's real span (seconds to minutes; the poll starts at Dispense:ResultTimeout, 150 s), so the
    // alert's p99 is read from buckets that exist rather than from the SDK's default 0-10000 ones.
    public static readonly Histogram<double> CallbackLag = Meter.CreateHistogram<double>("merchant.callback.lag", "s",
        "From a dispense command to its callback", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1, 2, 5, 10, 20, 30, 60, 90, 150, 300, 600] });

    public static readonly Histogram<double> PlatformCalls = Meter.CreateHistogram<double>("merchant.platform.call.duration", "ms",
        "Platform calls by endpoint and outcome");

    public static readonly Histogram<double> Jobs = Meter.CreateHistogram<double>("merchant.job.duration", "ms", "Jobs run, by kind and outcome");

    public static readonly Counter<long> TestDispenses = Meter.CreateCounter<long>("merchant.test_dispenses", description: "Ops test dispenses by outcome");

    private static long _queueDepth;
    private static IReadOnlyDictionary<string, long> _alerts = new Dictionary<string, long>();
    private static double _queueAgeSeconds;
    private static long _failuresWhileFaulted;

    static MerchantTelemetry()
    {
        Meter.CreateObservableGauge("merchant.jobs.queue.depth", () => Volatile.Read(ref _queueDepth), description: "Jobs due and not running");
        Meter.CreateObservableGauge("merchant.jobs.queue.age", () => Volatile.Read(ref _queueAgeSeconds), "s", "Age of the oldest due job");
        Meter.CreateObservableGauge("merchant.alerts.open",
            () => Volatile.Read(ref _alerts).Select(a => new Measurement<long>(a.Value, Tag("kind", a.Key))),
            description: "Open ops alerts by kind (GET /api/v1/ops/alerts)");
        // Observed rather than added to, so the series exists from the start at 0: Prometheus's increase() sees the first
        // failure only if the series was there before it.
        Meter.CreateObservableCounter("merchant.slots.failures_while_faulted", () => Volatile.Read(ref _failuresWhileFaulted),
            description: "Lines that failed on a slot already known to be in fault: alerts ops should have acted on");
    }

    public static void FailedOnFaultedSlot() => Interlocked.Increment(ref _failuresWhileFaulted);

    /// <summary>Sampled by the maintenance loop, like the queue, so reading a gauge never touches the database.</summary>
    public static void SetAlerts(IReadOnlyDictionary<string, long> counts) => Volatile.Write(ref _alerts, counts);

    /// <summary>Sampled by the maintenance loop, so reading a gauge never touches the database.</summary>
    public static void SetQueue(long depth, double oldestAgeSeconds)
    {
        Volatile.Write(ref _queueDepth, depth);
        Volatile.Write(ref _queueAgeSeconds, oldestAgeSeconds);
    }

    public static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);
}
