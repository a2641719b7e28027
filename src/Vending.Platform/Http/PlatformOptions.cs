using System.Globalization;

namespace Vending.Platform;

public sealed class PlatformOptions
{
    public const string SectionName = "Platform";

    /// <summary>Scheme and host (plus any path prefix); <c>/api/openapi/v1</c> is appended.</summary>
    public string BaseUrl { get; set; } = "";

    public string AppId { get; set; } = "";

    public string AppSecret { get; set; } = "";

    /// <summary>Used only to sign payloads; never sent.</summary>
    public string AppKey { get; set; } = "";

    /// <summary>Per attempt, the whole answer included.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after the first try, for calls that are safe to repeat: 2 means at most 3 attempts. 0 disables retries.</summary>
    public int RetryAttempts { get; set; } = 2;

    /// <summary>First backoff delay; it grows exponentially, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>For a call with all its retries; empty means every attempt's timeout plus 5 s of backoff.</summary>
    public TimeSpan? TotalTimeout { get; set; }

    /// <summary>The circuit to a platform host opens when at least this share of its calls failed transiently ...</summary>
    public double CircuitFailureRatio { get; set; } = 0.5;

    /// <summary>... out of at least this many calls in 30 s (or twice the attempt timeout, if longer) ...</summary>
    public int CircuitMinimumThroughput { get; set; } = 20;

    /// <summary>... and stays open this long, failing calls at once without sending them.</summary>
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(5);

    internal TimeSpan EffectiveTotalTimeout => TotalTimeout ?? (Timeout * (RetryAttempts + 1)) + TimeSpan.FromSeconds(5);

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"PlatformOptions {{ BaseUrl = {BaseUrl}, AppId = {AppId}, AppSecret = {Redacted(AppSecret)}, AppKey = {Redacted(AppKey)}, Timeout = {Timeout}, RetryAttempts = {RetryAttempts}, RetryBaseDelay = {RetryBaseDelay}, TotalTimeout = {EffectiveTotalTimeout} }}");

    private static string Redacted(string secret) => secret.Length == 0 ? "(empty)" : "***";
}
