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

    /// <summary>Per attempt.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after the first try, for calls that are safe to repeat: 2 means at most 3 attempts. 0 disables retries.</summary>
    public int RetryAttempts { get; set; } = 2;

    /// <summary>First backoff delay; it grows exponentially, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"PlatformOptions {{ BaseUrl = {BaseUrl}, AppId = {AppId}, AppSecret = {Redacted(AppSecret)}, AppKey = {Redacted(AppKey)}, Timeout = {Timeout}, RetryAttempts = {RetryAttempts}, RetryBaseDelay = {RetryBaseDelay} }}");

    private static string Redacted(string secret) => secret.Length == 0 ? "(empty)" : "***";
}
