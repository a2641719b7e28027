using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Merchant.Api.Telemetry;

/// <summary>Times every platform HTTP call by endpoint (ids folded away) and outcome.</summary>
public sealed partial class PlatformCallMetrics : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var endpoint = $"{request.Method} {Ids().Replace(request.RequestUri?.AbsolutePath.Replace("/api/openapi/v1", string.Empty, StringComparison.Ordinal) ?? "?", "/{id}")}";
        var started = Stopwatch.GetTimestamp();
        var outcome = "error";
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            outcome = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return response;
        }
        catch (OperationCanceledException)
        {
            outcome = "timeout";
            throw;
        }
        finally
        {
            MerchantTelemetry.PlatformCalls.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                MerchantTelemetry.Tag("endpoint", endpoint), MerchantTelemetry.Tag("outcome", outcome));
        }
    }

    [GeneratedRegex(@"/\d+")]
    private static partial Regex Ids();
}
