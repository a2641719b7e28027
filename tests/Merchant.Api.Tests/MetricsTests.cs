using System.Net;
using System.Net.Http.Json;
using Merchant.Api.Telemetry;
using Merchant.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Vending.Platform;

namespace Merchant.Api.Tests;

/// <summary>DESIGN §4 and issue 16: the HTTP metrics count the status the client received; the scrape shows them and our meters, never a secret or an id.</summary>
public sealed class MetricsTests : IAsyncLifetime
{
    private const string Duration = "http_server_request_duration_seconds_count";
    private Stack _stack = null!;

    public async Task InitializeAsync() => _stack = await Stack.StartAsync(services: services =>
        services.AddHttpClient(PlatformServiceCollectionExtensions.HttpClientName).AddHttpMessageHandler(() => new BrokenMachineList()));

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task The_scrape_counts_each_request_under_its_route_template_and_the_status_the_client_received()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1, stock: 1);
        (await _stack.CheckoutAsync(machine.MachineNo, [(machine.Products[0].ProductId, 2)])).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await _stack.Api.Storefront.GetAsync("/api/v1/trades/20990101000000000000000001")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await _stack.Api.Storefront.PostAsJsonAsync("/api/v1/checkouts", new { machine_no = 7 })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await _stack.Api.Storefront.GetAsync("/api/v1/machines")).StatusCode.ShouldBe(HttpStatusCode.InternalServerError);

        bool Counted(Scrape s, string method, string route, string status) => s.Series(Duration).Any(x =>
            x.Labels.GetValueOrDefault("http_request_method") == method && x.Labels.GetValueOrDefault("http_route") == route
            && x.Labels.GetValueOrDefault("http_response_status_code") == status && x.Value >= 1);
        var expected = new[]
        {
            ("POST", "api/v1/checkouts", "409"),
            ("GET", "api/v1/trades/{trade_id}", "404"),
            ("POST", "api/v1/checkouts", "400"),
            ("GET", "api/v1/machines", "500"),
        };
        var scrape = await Scrape.WhenAsync(_stack.Api.Ops, s => expected.All(e => Counted(s, e.Item1, e.Item2, e.Item3)));

        foreach (var (method, route, status) in expected)
        {
            Counted(scrape, method, route, status).ShouldBeTrue($"{method} {route} → {status} in:\n"
                + string.Join("\n", scrape.Series(Duration).Select(s => string.Join(",", s.Labels.Select(l => $"{l.Key}={l.Value}")))));
        }

        // The refusal is not hidden under a 200: no checkout answered 200 at all (201 is a created trade).
        Counted(scrape, "POST", "api/v1/checkouts", "200").ShouldBeFalse();
        scrape.Series("http_server_request_duration_seconds_bucket").ShouldNotBeEmpty();
        // Kestrel's connection metrics and our own meters, beside ASP.NET Core's.
        scrape.Names.ShouldContain(n => n.StartsWith("kestrel_", StringComparison.Ordinal));
        scrape.Series("merchant_checkouts_total").ShouldContain(s => s.Labels.GetValueOrDefault("outcome") == "insufficient_stock");
        scrape.Names.ShouldContain("merchant_jobs_queue_depth");
        scrape.Names.ShouldContain("merchant_platform_call_duration_milliseconds_count");
    }

    [Fact]
    public async Task The_scrape_on_the_api_port_is_for_ops_keys_only()
    {
        (await _stack.Api.Client(null).GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await _stack.Api.Storefront.GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var answer = await _stack.Api.Ops.GetAsync("/metrics");
        answer.StatusCode.ShouldBe(HttpStatusCode.OK);
        answer.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
    }
}

/// <summary>With <c>Telemetry:MetricsPort</c>, the scrape is on the management port without a key, and gone from the API's port.</summary>
public sealed class MetricsManagementPortTests : IAsyncLifetime
{
    private Stack _stack = null!;

    public async Task InitializeAsync() => _stack = await Stack.StartAsync(new Dictionary<string, string?> { ["Telemetry:MetricsPort"] = "0" });

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task The_scrape_moves_to_the_management_port()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        var address = _stack.Api.Services.GetServices<IHostedService>().OfType<ManagementServer>().Single().Address;
        using var management = new HttpClient { BaseAddress = new Uri(address!), Timeout = TimeSpan.FromSeconds(30) };

        var scrape = await Scrape.WhenAsync(management, s => s.Series("http_server_request_duration_seconds_count")
            .Any(x => x.Labels.GetValueOrDefault("http_route") == "api/v1/checkouts" && x.Labels.GetValueOrDefault("http_response_status_code") == "201"));
        var onApiPort = await _stack.Api.Ops.GetAsync("/metrics");

        new Uri(address!).Host.ShouldBe("127.0.0.1");
        new Uri(address!).Port.ShouldNotBe(new Uri(_stack.Api.BaseUrl).Port);
        scrape.Series("merchant_checkouts_total").ShouldContain(s => s.Labels.GetValueOrDefault("outcome") == "created");
        onApiPort.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await management.GetAsync("/api/v1/machines")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
