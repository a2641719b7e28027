using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;
using Vending.Platform;

namespace Merchant.Api.Tests;

/// <summary>DESIGN §4: one request log line per request, with the status the client received and the route, never the path.</summary>
public sealed class RequestLogTests : IAsyncLifetime
{
    private readonly CapturingSink _logs = new();
    private Stack _stack = null!;

    public async Task InitializeAsync() => _stack = await Stack.StartAsync(
        new Dictionary<string, string?> { ["Serilog:MinimumLevel:Default"] = "Information" },
        services: services =>
        {
            services.AddSingleton<ILogEventSink>(_logs);
            // A fault only a bug could cause: the platform client throws something that is not a PlatformException.
            services.AddHttpClient(PlatformServiceCollectionExtensions.HttpClientName).AddHttpMessageHandler(() => new BrokenMachineList());
        });

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task A_checkout_logs_one_line_with_its_route_status_trade_and_machine()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);

        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));

        var line = await _logs.SingleRequestAsync("POST", "/api/v1/checkouts", trade.TradeId);
        line.Level.ShouldBe(LogEventLevel.Information);
        line.Property("StatusCode").ShouldBe(201);
        line.Property("MachineNo").ShouldBe(machine.MachineNo);
        ((double)line.Property("Elapsed")!).ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Refusals_are_logged_with_the_status_and_problem_code_the_client_received()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1, stock: 1);

        var refused = await _stack.CheckoutAsync(machine.MachineNo, [(machine.Products[0].ProductId, 2)]);
        var unknown = await _stack.Api.Storefront.GetAsync("/api/v1/trades/20990101000000000000000001");
        var malformed = await _stack.Api.Storefront.PostAsJsonAsync("/api/v1/checkouts", new { machine_no = 7 });
        var broken = await _stack.Api.Storefront.GetAsync("/api/v1/machines");

        refused.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var refusal = await _logs.SingleRequestAsync("POST", "/api/v1/checkouts", machine: machine.MachineNo);
        refusal.Property("StatusCode").ShouldBe(409);
        refusal.Property("ProblemCode").ShouldBe("insufficient_stock");
        refusal.Level.ShouldBe(LogEventLevel.Information);
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var notFound = await _logs.SingleRequestAsync("GET", "/api/v1/trades/{trade_id}", "20990101000000000000000001");
        notFound.Property("StatusCode").ShouldBe(404);
        notFound.Property("ProblemCode").ShouldBe("not_found");
        malformed.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var invalid = await _logs.SingleRequestAsync("POST", "/api/v1/checkouts", status: 400);
        invalid.Property("ProblemCode").ShouldBe("validation_failed");
        broken.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        var failed = await _logs.SingleRequestAsync("GET", "/api/v1/machines");
        failed.Property("StatusCode").ShouldBe(500);
        failed.Property("ProblemCode").ShouldBe("internal_error");
        failed.Level.ShouldBe(LogEventLevel.Error);
    }

    [Fact]
    public async Task A_platform_callback_is_logged_by_its_route_and_never_by_its_token()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        await _stack.PayAsync(trade.TradeId);
        await _stack.WaitForAsync(trade.TradeId, TimeSpan.FromSeconds(30), "completed");
        var token = _stack.Api.Services.GetRequiredService<PlatformNotify.NotifyTokens>().For(trade.TradeId);

        var callback = await _logs.SingleRequestAsync("POST", "/api/v1/platform/notify/{token}");

        callback.Property("StatusCode").ShouldBe(200);
        _logs.Text.ShouldNotContain(token[(token.IndexOf('.') + 1)..]);
    }

    [Fact]
    public async Task Scrapes_are_logged_only_when_refused()
    {
        (await _stack.Api.Ops.GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var refused = await _stack.Api.Storefront.GetAsync("/metrics");

        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var line = await _logs.SingleRequestAsync("GET", "/metrics");
        line.Property("StatusCode").ShouldBe(403);
    }

    /// <summary>Keeps every event; request lines are those of Serilog's request logging middleware.</summary>
    private sealed class CapturingSink : ILogEventSink
    {
        private readonly ConcurrentQueue<LogEvent> _events = new();

        public string Text => string.Join("\n", _events.Select(e => e.RenderMessage() + " " + string.Join(" ", e.Properties.Select(p => $"{p.Key}={p.Value}"))));

        public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

        /// <summary>The one request line for this method and route (and trade, machine or status when given); the line is written after the answer, so wait a little.</summary>
        public async Task<LogEvent> SingleRequestAsync(string method, string route, string? trade = null, string? machine = null, int? status = null)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            List<LogEvent> matches;
            do
            {
                matches = _events.Where(e => e.Property("RequestMethod") as string == method
                        && e.Property("Route") as string == route
                        && (trade is null || e.Property("TradeId") as string == trade)
                        && (machine is null || e.Property("MachineNo") as string == machine)
                        && (status is null || e.Property("StatusCode") as int? == status))
                    .ToList();
                if (matches.Count > 0)
                {
                    break;
                }

                await Task.Delay(50);
            }
            while (DateTime.UtcNow < deadline);

            return matches.ShouldHaveSingleItem($"request lines for {method} {route}:\n{Text}");
        }
    }
}

internal static class LogEventProperties
{
    public static object? Property(this LogEvent logEvent, string name) =>
        logEvent.Properties.TryGetValue(name, out var value) && value is ScalarValue scalar ? scalar.Value : null;
}
