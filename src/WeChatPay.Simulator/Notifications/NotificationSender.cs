using System.Net.Http.Headers;
using System.Text;
using WeChatPay.Simulator.Crypto;
using WeChatPay.Simulator.State;

namespace WeChatPay.Simulator.Notifications;

/// <summary>One signed POST of a notification body; the answer's status is all that counts.</summary>
internal sealed class NotificationSender(SimState state) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

    public void Dispose() => _http.Dispose();

    public async Task<(int? Status, string? Error)> PostAsync(
        string url, string body, IEnumerable<KeyValuePair<string, string>> headers, CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(state.Settings.NotifyTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            request.Headers.TryAddWithoutValidation("User-Agent", "Mozilla/4.0 (WeChatPay.Simulator)");
            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            using var response = await _http.SendAsync(request, timeout.Token);
            return ((int)response.StatusCode, null);
        }
        catch (Exception e) when (!stopping.IsCancellationRequested)
        {
            return (null, e is OperationCanceledException ? "timeout" : e.Message);
        }
    }

    public IEnumerable<KeyValuePair<string, string>> Sign(string body, SignatureFault fault)
    {
        var settings = state.Settings;
        return WechatpayHeaders.Create(state.Keys, settings.SigningMode, Encoding.UTF8.GetBytes(body), fault, settings.StaleTimestampAge)!.Pairs();
    }
}
