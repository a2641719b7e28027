using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Vending.Platform.Simulator.Tests.Infrastructure;

public sealed record PlatformReply(HttpStatusCode Status, string Raw, JsonElement Root)
{
    public int Code => Root.GetProperty("code").GetInt32();

    public string Message => Root.GetProperty("message").GetString() ?? "";

    public JsonElement Data => Root.GetProperty("data");

    public bool IsOk => Code == 0 && Message == "ok";
}

/// <summary>Talks to the simulated Open API over real HTTP with raw signing.</summary>
public sealed class PlatformClient(HttpClient http, string appKey)
{
    public const string Prefix = "/api/openapi/v1";

    public HttpClient Http { get; } = http;

    public Task<PlatformReply> PostAsync(string path, Dictionary<string, object?> fields, string? sign = null) =>
        SendSignedAsync(HttpMethod.Post, path, fields, sign);

    public Task<PlatformReply> PutAsync(string path, Dictionary<string, object?> fields) =>
        SendSignedAsync(HttpMethod.Put, path, fields, null);

    public Task<PlatformReply> PostBareAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Post, Prefix + path));

    public Task<PlatformReply> PostJsonAsync(string path, object body) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, Prefix + path)
        {
            Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        });

    public async Task<PlatformReply> SendAsync(HttpRequestMessage request, bool authenticate = true)
    {
        if (authenticate)
        {
            request.Headers.Add("Appid", "demo-app");
            request.Headers.Add("AppSecret", "demo-secret");
        }

        using var response = await Http.SendAsync(request);
        var raw = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(raw);
        return new PlatformReply(response.StatusCode, raw, document.RootElement.Clone());
    }

    public HttpRequestMessage SignedRequest(HttpMethod method, string path, Dictionary<string, object?> fields, string? sign = null)
    {
        var withTime = new Dictionary<string, object?>(fields);
        withTime.TryAdd("timestamp", DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        var payload = TestSigner.Payload(withTime, appKey, sign);
        return new HttpRequestMessage(method, Prefix + path)
        {
            Content = new StringContent(JsonSerializer.Serialize(new { payload }), Encoding.UTF8, "application/json"),
        };
    }

    private Task<PlatformReply> SendSignedAsync(HttpMethod method, string path, Dictionary<string, object?> fields, string? sign) =>
        SendAsync(SignedRequest(method, path, fields, sign));
}
