using System.Diagnostics;

namespace Merchant.Api.Hosting;

/// <summary>One line per request with method, route, status and time (Serilog.AspNetCore cannot be restored here).</summary>
public sealed partial class RequestLogging(RequestDelegate next, ILogger<RequestLogging> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            // notify_url paths carry a secret token; log the route, not the token.
            var path = Redaction.MaskNotifyToken(context.Request.Path.Value ?? string.Empty);

            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (context.Response.StatusCode >= 500)
            {
                LogFailed(logger, context.Request.Method, path, context.Response.StatusCode, elapsed);
            }
            else if (!path.StartsWith("/health", StringComparison.Ordinal))
            {
                LogHandled(logger, context.Request.Method, path, context.Response.StatusCode, elapsed);
            }
        }
    }

    [LoggerMessage(1, LogLevel.Information, "HTTP {Method} {Path} → {StatusCode} in {ElapsedMs:0.0} ms")]
    private static partial void LogHandled(ILogger logger, string method, string path, int statusCode, double elapsedMs);

    [LoggerMessage(2, LogLevel.Warning, "HTTP {Method} {Path} → {StatusCode} in {ElapsedMs:0.0} ms")]
    private static partial void LogFailed(ILogger logger, string method, string path, int statusCode, double elapsedMs);
}
