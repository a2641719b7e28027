using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Vending.Platform.Simulator.Tests.Infrastructure;

public sealed record ReceivedCallback(string Key, string Raw, JsonElement Body, DateTimeOffset At);

/// <summary>A fake merchant notify_url: records every POST per path key.</summary>
public sealed class NotifyReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedCallback> _received = new();
    private WebApplication? _app;

    public string BaseUrl { get; private set; } = "";

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/notify/{key}", async (string key, HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var raw = await reader.ReadToEndAsync();
            using var document = JsonDocument.Parse(raw);
            _received.Enqueue(new ReceivedCallback(key, raw, document.RootElement.Clone(), DateTimeOffset.UtcNow));
            return Results.Ok();
        });
        await _app.StartAsync();
        BaseUrl = SimulatorFixture.AddressOf(_app);
    }

    public string UrlFor(string key) => $"{BaseUrl}/notify/{key}";

    public IReadOnlyList<ReceivedCallback> For(string key) => _received.Where(r => r.Key == key).ToList();

    public async Task<IReadOnlyList<ReceivedCallback>> WaitForAsync(string key, int count, TimeSpan? timeout = null)
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
