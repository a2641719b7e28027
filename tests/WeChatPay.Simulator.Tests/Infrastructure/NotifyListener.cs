using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace WeChatPay.Simulator.Tests.Infrastructure;

public sealed record ReceivedNotification(string Key, byte[] Raw, IReadOnlyDictionary<string, string> Headers, DateTimeOffset At, int AnsweredWith)
{
    public string Text => Encoding.UTF8.GetString(Raw);

    public JsonElement Json => JsonDocument.Parse(Raw).RootElement.Clone();

    public string Header(string name) => Headers[name];

    /// <summary>The resource decrypted with the APIv3 key by the test-side decryptor.</summary>
    public JsonElement Resource(string apiV3Key)
    {
        var resource = Json.GetProperty("resource");
        var plaintext = TestCrypto.Decrypt(
            apiV3Key,
            resource.GetProperty("nonce").GetString()!,
            resource.GetProperty("associated_data").GetString()!,
            resource.GetProperty("ciphertext").GetString()!);
        return JsonDocument.Parse(plaintext).RootElement.Clone();
    }
}

/// <summary>A fake merchant notify endpoint: records every POST per path key and answers as scripted (204 by default).</summary>
public sealed class NotifyListener : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedNotification> _received = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<int>> _scripts = new(StringComparer.Ordinal);
    private WebApplication? _app;

    public string BaseUrl { get; private set; } = "";

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/notify/{key}", async (string key, HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            var status = _scripts.TryGetValue(key, out var script) && script.TryDequeue(out var next) ? next : StatusCodes.Status204NoContent;
            var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            _received.Enqueue(new ReceivedNotification(key, buffer.ToArray(), headers, DateTimeOffset.UtcNow, status));
            return Results.StatusCode(status);
        });
        await _app.StartAsync();
        BaseUrl = SimFixture.AddressOf(_app);
    }

    public string UrlFor(string key) => $"{BaseUrl}/notify/{key}";

    /// <summary>The next POSTs to this key are answered with these statuses, in order.</summary>
    public void Answer(string key, params int[] statuses) => _scripts[key] = new ConcurrentQueue<int>(statuses);

    public IReadOnlyList<ReceivedNotification> For(string key) => _received.Where(r => r.Key == key).ToList();

    public async Task<IReadOnlyList<ReceivedNotification>> WaitForAsync(string key, int count, TimeSpan? timeout = null)
    {
        await Wait.UntilAsync(() => For(key).Count >= count, timeout);
        return For(key);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
