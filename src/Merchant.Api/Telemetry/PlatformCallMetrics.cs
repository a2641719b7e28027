using System.Diagnostics;

namespace Merchant.Api.Telemetry;

/// <summary>Times every platform HTTP call by endpoint (its route template) and outcome.</summary>
public sealed class PlatformCallMetrics : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Refit's route template keeps ids out of the tag (bounded cardinality).
        var template = request.Options.TryGetValue(new HttpRequestOptionsKey<string>(Refit.HttpRequestMessageOptions.RelativePathTemplate), out var path)
            ? path
            : "unknown";
        var endpoint = $"{request.Method} {template.Replace("/api/openapi/v1", string.Empty, StringComparison.Ordinal)}";
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
}
