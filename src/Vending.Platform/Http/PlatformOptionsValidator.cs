using Microsoft.Extensions.Options;

namespace Vending.Platform;

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

        if (options.Timeout <= TimeSpan.Zero)
        {
            failures.Add("Platform:Timeout must be positive.");
        }

        if (options.RetryAttempts < 0 || options.RetryBaseDelay < TimeSpan.Zero)
        {
            failures.Add("Platform:RetryAttempts and Platform:RetryBaseDelay must not be negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
