namespace Merchant.Api.Tests;

/// <summary>A fault only a bug could cause: the platform client throws something that is not a PlatformException (→ 500).</summary>
internal sealed class BrokenMachineList : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        request.RequestUri!.AbsolutePath.EndsWith("/rent/machines", StringComparison.Ordinal)
            ? throw new InvalidOperationException("a bug")
            : base.SendAsync(request, cancellationToken);
}
