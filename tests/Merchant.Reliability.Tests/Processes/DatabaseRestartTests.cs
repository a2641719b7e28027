using Merchant.Reliability.Tests.Infrastructure;
using Merchant.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Merchant.Reliability.Tests.Processes;

/// <summary>
/// PostgreSQL stopped (immediate, like a crash) and started again mid-run, on a cluster of this class's own so the
/// other classes keep theirs. A restart while refunds are being paid is one of the refund step's faults (the sandbox's
/// fault switch, Faults/RefundFaultTests, and the WeChat Pay simulator, Faults/WeChatPayBooksTests, script the others).
/// </summary>
[Collection("db-restart")]
public sealed class DatabaseRestartTests(DatabaseRestartTests.OwnCluster cluster, ITestOutputHelper output) : IClassFixture<DatabaseRestartTests.OwnCluster>
{
    private static readonly TimeSpan Downtime = TimeSpan.FromSeconds(3);
    private readonly PostgresServer _server = cluster.Server;

    [Fact]
    public async Task A_database_restart_mid_run_loses_nothing_and_sends_no_line_twice()
    {
        var database = await _server.CreateDatabaseAsync("pgrestart");
        await using var simulator = await SimulatorHost.StartAsync();
        await using var api = await ApiProcess.StartAsync(HostSettings.For(database, simulator.BaseUrl, new Dictionary<string, string?> { ["Jobs:Lease"] = "00:00:05" }));
        using var shop = Shop.For(api.BaseUrl);
        var machines = await Load.MachinesAsync(simulator, 8, faultyEvery: 4);
        var trades = new List<string>();
        foreach (var machine in machines)
        {
            for (var i = 0; i < 3; i++)
            {
                trades.Add((await shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[i].ProductId, 1 + (i % 2)))).TradeId);
            }
        }

        await Task.WhenAll(trades.Select(t => shop.PayAsync(t)));
        var checker = new InvariantChecker(database, simulator.Control);
        await Eventually.HoldsAsync(async () => await checker.InFlightAsync() > 0, TimeSpan.FromSeconds(30), "work in flight");
        Figures.Note("postgres.in_flight_at_restart", $"{await checker.InFlightAsync()} unit(s) of work in flight");
        HttpResponseMessage? answer = null;
        // The request is made once the server has stopped, however slowly the stop ran on a busy machine.
        await _server.RestartAsync(Downtime, async () => answer = await shop.Storefront.GetAsync($"/api/v1/trades/{trades[0]}"));
        Figures.Fault("postgres.restart");
        using var whileDown = answer!;
        var report = await Rig.VerifyAsync(checker, nameof(A_database_restart_mid_run_loses_nothing_and_sends_no_line_twice));
        var downAnswer = $"{(int)whileDown.StatusCode} {await whileDown.Content.ReadAsStringAsync()}";
        output.WriteLine($"while down: {downAnswer}");
        Figures.Note("postgres.while_down", downAnswer);
        output.WriteLine(report.Summary);

        ((int)whileDown.StatusCode).ShouldBeGreaterThanOrEqualTo(500);
        whileDown.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        report.Trades.ShouldBe(trades.Count);
        report.TradesByStatus.Keys.ShouldBeSubsetOf(["completed", "partially_refunded", "refunded", "needs_attention"]);
    }

    [Fact]
    public async Task A_database_restart_while_refunds_are_paid_pays_each_refund_exactly_once()
    {
        var database = await _server.CreateDatabaseAsync("pgrefund");
        await using var simulator = await SimulatorHost.StartAsync();
        await using var api = await ApiProcess.StartAsync(HostSettings.For(database, simulator.BaseUrl, new Dictionary<string, string?> { ["Jobs:Lease"] = "00:00:05" }));
        using var shop = Shop.For(api.BaseUrl);
        var trades = new List<string>();
        for (var m = 0; m < 5; m++)
        {
            // Every dispense on these machines fails, so every line is refunded.
            var machine = await simulator.CreateMachineAsync(products: 2, price: "1.50");
            await simulator.FailNextDispensesAsync(machine.MachineNo, 100, reason: "Motor fault");
            for (var i = 0; i < 2; i++)
            {
                trades.Add((await shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1), (machine.Products[1].ProductId, 1))).TradeId);
            }
        }

        Figures.Fault("device.fail", trades.Count * 2);
        await Task.WhenAll(trades.Select(t => shop.PayAsync(t)));
        await WaitForFirstRefundAsync(database);
        await _server.RestartAsync(Downtime);
        Figures.Fault("postgres.restart_during_refunds");
        var report = await Rig.VerifyAsync(new InvariantChecker(database, simulator.Control),
            nameof(A_database_restart_while_refunds_are_paid_pays_each_refund_exactly_once));
        output.WriteLine(report.Summary);

        report.TradesByStatus.GetValueOrDefault("refunded").ShouldBe(trades.Count);
        report.Refunds.ShouldBe(trades.Count * 2);
    }

    /// <summary>A PostgreSQL cluster of this class's own, stopped when the class is done.</summary>
    public sealed class OwnCluster : IAsyncLifetime
    {
        public PostgresServer Server { get; private set; } = null!;

        public async Task InitializeAsync() => Server = await PostgresServer.StartOwnAsync();

        public async Task DisposeAsync() => await Server.StopAsync();
    }

    // Bounded generously: a fresh API process on a starved machine has been seen to take over 30 s to get going.
    private static async Task WaitForFirstRefundAsync(string database)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT count(*) FROM refunds", connection);
            if ((long)(await command.ExecuteScalarAsync())! > 0)
            {
                return;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("No refund was requested within 120 s.");
    }
}
