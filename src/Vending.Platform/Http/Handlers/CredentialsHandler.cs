using Microsoft.Extensions.Options;

namespace Vending.Platform;

/// <summary>Adds the <c>Appid</c> and <c>AppSecret</c> headers every platform call carries (CONTRACT §1).</summary>
internal sealed class CredentialsHandler(IOptions<PlatformOptions> options) : DelegatingHandler
{
    private const string AppIdHeader = "Appid";
    private const string AppSecretHeader = "AppSecret";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Replaced, not added: a retry sends the same request message again.
        request.Headers.Remove(AppIdHeader);
        request.Headers.Remove(AppSecretHeader);
        request.Headers.TryAddWithoutValidation(AppIdHeader, options.Value.AppId);
        request.Headers.TryAddWithoutValidation(AppSecretHeader, options.Value.AppSecret);
        return base.SendAsync(request, cancellationToken);
    }
}
