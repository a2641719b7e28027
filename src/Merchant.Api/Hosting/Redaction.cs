using System.Text.RegularExpressions;
using Serilog.Core;
using Serilog.Events;

namespace Merchant.Api.Hosting;

/// <summary>
/// notify_url paths carry a per-trade secret (DESIGN §4). Wherever a path can surface — any log property
/// (the framework's RequestPath scope included) or a problem's instance — the token is masked.
/// </summary>
public static partial class Redaction
{
    public const string NotifyRoute = "/api/v1/platform/notify/{token}";

    public static string MaskNotifyToken(string value) =>
        value.Contains("/platform/notify/", StringComparison.Ordinal) ? NotifyPath().Replace(value, NotifyRoute) : value;

    [GeneratedRegex(@"/api/v1/platform/notify/[^\s/?""'#]+")]
    private static partial Regex NotifyPath();

    /// <summary>Masks notify tokens in every string property of every log event.</summary>
    public sealed class LogEnricher : ILogEventEnricher
    {
        public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
        {
            foreach (var (name, value) in logEvent.Properties.ToList())
            {
                if (value is ScalarValue { Value: string text } && text.Contains("/platform/notify/", StringComparison.Ordinal))
                {
                    logEvent.AddOrUpdateProperty(new LogEventProperty(name, new ScalarValue(MaskNotifyToken(text))));
                }
            }
        }
    }
}
