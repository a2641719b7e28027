using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace WeChatPay.Simulator.Tests.Infrastructure;

/// <summary>Drives the /_sim control API over HTTP.</summary>
public sealed class ControlClient(HttpClient http)
{
    public async Task<JsonElement> GetAsync(string path)
    {
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue(text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body = null)
    {
        var (status, json) = await TrySendAsync(method, path, body);
        ((int)status).ShouldBeLessThan(300, json.ToString());
        return json;
    }

    public async Task<(HttpStatusCode Status, JsonElement Json)> TrySendAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text.Length == 0 ? "null" : text).RootElement.Clone());
    }

    public Task<JsonElement> PostAsync(string path, object? body = null) => SendAsync(HttpMethod.Post, path, body ?? new { });

    public Task<JsonElement> PutAsync(string path, object body) => SendAsync(HttpMethod.Put, path, body);

    public Task<JsonElement> PayAsync(string outTradeNo, object? body = null) => PostAsync($"/_sim/transactions/{outTradeNo}/pay", body);

    public Task<JsonElement> TransactionAsync(string outTradeNo) => GetAsync($"/_sim/transactions/{outTradeNo}");

    public Task<JsonElement> RefundAsync(string outRefundNo) => GetAsync($"/_sim/refunds/{outRefundNo}");

    public Task<JsonElement> BookAsync(string outTradeNo) => GetAsync($"/_sim/books/{outTradeNo}");

    public Task<JsonElement> EndpointFaultAsync(object fault) => PostAsync("/_sim/endpoint-faults", fault);

    public Task<JsonElement> NotificationFaultAsync(object fault) => PostAsync("/_sim/notification-faults", fault);

    public Task<JsonElement> RefundOutcomeAsync(object outcome) => PostAsync("/_sim/refund-outcomes", outcome);

    public async Task<List<JsonElement>> NotificationsAsync(string outTradeNo) =>
        (await GetAsync($"/_sim/notifications?out_trade_no={outTradeNo}")).EnumerateArray().ToList();

    public Task<JsonElement> AdvanceClockAsync(double seconds) => PostAsync("/_sim/clock", new { advance_seconds = seconds });
}
