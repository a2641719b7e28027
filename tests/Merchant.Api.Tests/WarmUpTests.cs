using System.Net;
using Merchant.Api.Health;
using Merchant.Testing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit.Abstractions;

namespace Merchant.Api.Tests;

/// <summary>Issue 14: an instance compiles its hot paths before it says it is ready, and says so.</summary>
public sealed class WarmUpTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Readiness_waits_for_the_warm_up()
    {
        var state = new WarmUpState();
        var check = new WarmUpCheck(state);

        var before = await check.CheckHealthAsync(new HealthCheckContext());
        state.Finish(TimeSpan.FromSeconds(1.5));
        var after = await check.CheckHealthAsync(new HealthCheckContext());

        before.Status.ShouldBe(HealthStatus.Unhealthy);
        after.Status.ShouldBe(HealthStatus.Healthy);
    }

    [Fact]
    public async Task An_instance_with_warm_up_on_compiles_our_code_and_runs_the_trade_queries_before_it_is_ready()
    {
        var database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("warmup");
        await using var simulator = await SimulatorHost.StartAsync();
        var settings = ApiTestSettings.For(database, simulator.BaseUrl, MerchantHost.StorefrontKey, MerchantHost.OpsKey, MerchantHost.NotifySecret,
            new Dictionary<string, string?> { ["WarmUp:Enabled"] = "true", ["Serilog:MinimumLevel:Default"] = "Information" });

        await using var api = await ApiProcess.StartAsync(settings, readyWithin: TimeSpan.FromSeconds(120));
        using var client = new HttpClient { BaseAddress = new Uri(api.BaseUrl) };
        var ready = await client.GetAsync("/health/ready");

        ready.StatusCode.ShouldBe(HttpStatusCode.OK);
        var line = api.Output.Split('\n').SingleOrDefault(l => l.Contains("Warm:", StringComparison.Ordinal));
        line.ShouldNotBeNull("the warm-up logs what it did");
        output.WriteLine(line);
        var methods = int.Parse(System.Text.RegularExpressions.Regex.Match(line, @"Warm: (\d+) methods").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        methods.ShouldBeGreaterThan(1000);
        int.Parse(System.Text.RegularExpressions.Regex.Match(line, @"of (\d+) wire types").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(10);
        api.Output.Split('\n').Where(l => l.Contains("Warm-up skipped", StringComparison.Ordinal)).ShouldBeEmpty();

        // The rehearsed trade went with its rollback: no row, no counter, no job, no timeline entry.
        await using var connection = new Npgsql.NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var count = new Npgsql.NpgsqlCommand("""
            SELECT (SELECT count(*) FROM trades) + (SELECT count(*) FROM trade_lines) + (SELECT count(*) FROM payments)
                 + (SELECT count(*) FROM refunds) + (SELECT count(*) FROM trade_events) + (SELECT count(*) FROM platform_callbacks)
                 + (SELECT count(*) FROM payment_notifications) + (SELECT count(*) FROM jobs WHERE trade_id IS NOT NULL)
                 + (SELECT count(*) FROM trade_counts WHERE count <> 0) + (SELECT count(*) FROM money_daily WHERE fen <> 0)
            """, connection);
        ((long)(await count.ExecuteScalarAsync())!).ShouldBe(0);
    }
}
