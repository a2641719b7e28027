using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Merchant.Api.Tests;

/// <summary>One trace follows a checkout from the HTTP request through SQL to the platform call.</summary>
public sealed class TracingTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<Activity> _spans = new();
    private Stack _stack = null!;

    public async Task InitializeAsync() => _stack = await Stack.StartAsync(
        new Dictionary<string, string?> { ["Telemetry:Tracing"] = "true" },
        services: services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new SimpleActivityExportProcessor(new Collector(_spans)))));

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task A_checkout_is_one_trace_from_the_request_through_sql_to_the_platform()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);

        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));

        // Listeners are process-wide: other hosts' spans arrive too. Ours is the checkout whose create-order went to our simulator.
        var createOrder = await SpanAsync(s => s.Kind == ActivityKind.Client && PlatformUrl(s) == _stack.Simulator.BaseUrl + "/api/openapi/v1/orders");
        var server = await SpanAsync(s => s.TraceId == createOrder.TraceId && s.Kind == ActivityKind.Server && s.GetTagItem("http.route") as string == "api/v1/checkouts");
        var trace = _spans.Where(s => s.TraceId == server.TraceId).ToList();
        trace.ShouldContain(s => s.Source.Name == "Npgsql", "SQL spans");
        trace.ShouldContain(s => s.Kind == ActivityKind.Client && PlatformUrl(s).StartsWith(_stack.Simulator.BaseUrl + "/api/openapi/v1/orders/", StringComparison.Ordinal), "the query-order call");
        // The test's own client span is the server span's parent; everything the checkout did hangs below the server span.
        trace.Where(s => s.Source.Name == "Npgsql" || PlatformUrl(s).StartsWith(_stack.Simulator.BaseUrl, StringComparison.Ordinal))
            .ShouldAllBe(s => Descends(s, server, trace));
        createOrder.GetTagItem("http.response.status_code").ShouldBe(200);
        trade.TradeId.ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task Spans_never_carry_a_notify_token()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        await _stack.PayAsync(trade.TradeId);
        await _stack.WaitForAsync(trade.TradeId, TimeSpan.FromSeconds(30), "completed");
        var token = _stack.Api.Services.GetRequiredService<PlatformNotify.NotifyTokens>().For(trade.TradeId);
        var mac = token[(token.IndexOf('.') + 1)..];

        var callback = await SpanAsync(s => s.Kind == ActivityKind.Server && s.GetTagItem("http.route") as string == "api/v1/platform/notify/{token}");

        callback.GetTagItem("url.path").ShouldBe("/api/v1/platform/notify/{token}");
        _spans.SelectMany(s => s.TagObjects).ShouldAllBe(tag => !(tag.Value is string && ((string)tag.Value).Contains(mac)));
        _spans.ShouldAllBe(s => !s.DisplayName.Contains(mac));
    }

    private static string PlatformUrl(Activity span) => span.GetTagItem("url.full") as string ?? "";

    private static bool Descends(Activity span, Activity root, IReadOnlyList<Activity> trace)
    {
        for (var parent = span.ParentSpanId; parent != default; parent = trace.FirstOrDefault(s => s.SpanId == parent)?.ParentSpanId ?? default)
        {
            if (parent == root.SpanId)
            {
                return true;
            }
        }

        return false;
    }

    // A server span ends after its answer has left, so the client can see the answer first.
    private async Task<Activity> SpanAsync(Func<Activity, bool> match)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            if (_spans.FirstOrDefault(match) is { } span)
            {
                return span;
            }
        }

        throw new ShouldAssertException("no such span among:\n" + string.Join("\n", _spans.Select(s => $"{s.Kind} {s.Source.Name} {s.DisplayName}")));
    }

    private sealed class Collector(ConcurrentQueue<Activity> spans) : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            foreach (var span in batch)
            {
                spans.Enqueue(span);
            }

            return ExportResult.Success;
        }
    }
}
