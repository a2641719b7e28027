using Microsoft.Extensions.Options;

namespace WeChatPay;

/// <summary>Names every missing or malformed <c>Payments:WeChatPay:*</c> key, never its value.</summary>
internal sealed class WeChatPayOptionsValidator : IValidateOptions<WeChatPayOptions>
{
    private const string Prefix = WeChatPayOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, WeChatPayOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Skip;
        }

        List<string> failures = [];
        Require(failures, IsHttpUrl(options.BaseUrl), "BaseUrl must be an absolute http(s) URL.");
        Require(failures, !string.IsNullOrWhiteSpace(options.MchId), "MchId is required.");
        Require(failures, !string.IsNullOrWhiteSpace(options.AppId), "AppId is required.");
        Require(failures, WeChatPayAead.IsApiV3Key(options.ApiV3Key), "ApiV3Key must be exactly 32 ASCII characters.");
        Require(failures, PemKeys.IsPrivateKey(options.PrivateKeyPath), "PrivateKeyPath must name a readable PKCS#8 RSA private key PEM (BEGIN PRIVATE KEY).");
        Require(failures, options.CertificateSerial.Length > 0 && options.CertificateSerial.All(char.IsAsciiHexDigit),
            "CertificateSerial must be the merchant API certificate's serial number in hex.");
        if (options.HasPublicKey || options.PublicKeyPath.Length > 0)
        {
            Require(failures, options.PublicKeyId.StartsWith(WeChatPaySignatureVerifier.PublicKeyIdPrefix, StringComparison.Ordinal),
                $"PublicKeyId must start with {WeChatPaySignatureVerifier.PublicKeyIdPrefix} when PublicKeyPath is set.");
            Require(failures, PemKeys.IsPublicKey(options.PublicKeyPath), "PublicKeyPath must name a readable RSA public key PEM (BEGIN PUBLIC KEY) when PublicKeyId is set.");
        }

        Require(failures, options.NotifyUrl.Length == 0 || IsHttpUrl(options.NotifyUrl), "NotifyUrl must be an absolute http(s) URL when set (it may be left empty when every request names its own).");

        // Polly's timeout strategy takes 10 ms to 24 h.
        Require(failures, options.Timeout >= TimeSpan.FromMilliseconds(10) && options.Timeout <= TimeSpan.FromMinutes(5),
            "Timeout must be between 10 ms and 5 minutes.");
        Require(failures, options.RetryAttempts is >= 0 and <= 10 && options.RetryBaseDelay >= TimeSpan.Zero && options.RetryBaseDelay <= TimeSpan.FromMinutes(1),
            "RetryAttempts must be 0 to 10 and RetryBaseDelay 0 to 1 minute.");
        Require(failures, options.TotalTimeout is not { } total || (total > options.Timeout && total <= TimeSpan.FromMinutes(10)),
            "TotalTimeout must be longer than Timeout and at most 10 minutes.");
        Require(failures, options.CircuitFailureRatio is > 0 and <= 1 && options.CircuitMinimumThroughput >= 2
            && options.CircuitBreakDuration >= TimeSpan.FromMilliseconds(500) && options.CircuitBreakDuration <= TimeSpan.FromHours(1),
            "CircuitFailureRatio must be in (0, 1], CircuitMinimumThroughput at least 2 and CircuitBreakDuration 0.5 s to 1 hour.");

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Require(List<string> failures, bool holds, string failure)
    {
        if (!holds)
        {
            failures.Add(Prefix + failure);
        }
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
}
