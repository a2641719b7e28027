using Microsoft.Extensions.Options;

namespace Vending.Platform;

/// <summary>Names every missing or malformed <c>Platform:*</c> key, never its value.</summary>
internal sealed class PlatformOptionsValidator : IValidateOptions<PlatformOptions>
{
    public ValidateOptionsResult Validate(string? name, PlatformOptions options)
    {
        List<string> failures = [];
        if (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            failures.Add("Platform:BaseUrl must be an absolute http(s) URL.");
        }

        if (string.IsNullOrWhiteSpace(options.AppId))
        {
            failures.Add("Platform:AppId is required.");
        }

        if (string.IsNullOrWhiteSpace(options.AppSecret))
        {
            failures.Add("Platform:AppSecret is required.");
        }

        if (string.IsNullOrWhiteSpace(options.AppKey))
        {
            failures.Add("Platform:AppKey is required.");
        }

        // Polly's timeout strategy takes 10 ms to 24 h.
        if (options.Timeout < TimeSpan.FromMilliseconds(10) || options.Timeout > TimeSpan.FromHours(1))
        {
            failures.Add("Platform:Timeout must be between 10 ms and 1 hour.");
        }

        if (options.RetryAttempts is < 0 or > 10 || options.RetryBaseDelay < TimeSpan.Zero || options.RetryBaseDelay > TimeSpan.FromMinutes(1))
        {
            failures.Add("Platform:RetryAttempts must be 0 to 10 and Platform:RetryBaseDelay 0 to 1 minute.");
        }

        if (options.TotalTimeout is { } total && (total <= options.Timeout || total > TimeSpan.FromHours(1)))
        {
            failures.Add("Platform:TotalTimeout must be longer than Platform:Timeout and at most 1 hour.");
        }

        if (options.CircuitFailureRatio is <= 0 or > 1 || options.CircuitMinimumThroughput < 2
            || options.CircuitBreakDuration < TimeSpan.FromMilliseconds(500) || options.CircuitBreakDuration > TimeSpan.FromHours(1))
        {
            failures.Add("Platform:CircuitFailureRatio must be in (0, 1], Platform:CircuitMinimumThroughput at least 2 and Platform:CircuitBreakDuration 0.5 s to 1 hour.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
