using Merchant.Reliability.Tests.Infrastructure;
using Merchant.Testing;
using Xunit.Abstractions;

namespace Merchant.Reliability.Tests.Processes;

/// <summary>
/// A few hundred trades in flight while the API process is SIGKILLed at random moments and restarted on the same port.
/// Bounded for CI (200 trades, 40 machines, 3 kills, 60 s); MERCHANT_SOAK=long runs 2000 trades, 100 machines, 10 kills.
/// </summary>
[Collection(KillsUnderLoad.Name)]
public sealed class CrashSoakTests(ITestOutputHelper output)
{
    private const int Seed = 4242;

    [Fact]
    public async Task Trades_in_flight_survive_the_api_being_killed_at_random_moments()
    {
        var longRun = string.Equals(Environment.GetEnvironmentVariable("MERCHANT_SOAK"), "long", StringComparison.OrdinalIgnoreCase);
        var (trades, machineCount, kills, loadFor) = longRun
            ? (2000, 100, 10, TimeSpan.FromMinutes(5))
            // 60 s: the kills fall in the first 40 %, and a restarted API is cold (no warm-up in the Testing environment,
            // tiered compilation off), so the first payments after each restart crawl: with 40 s, three restarts could
            // leave no time in which a trade completes (seen: 0 completed, each notify request over 10 s).
            : (200, 40, 3, TimeSpan.FromSeconds(60));
        var random = new Random(Seed);
        var database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("soak");
        await using var simulator = await SimulatorHost.StartAsync();
        var settings = HostSettings.For(database, simulator.BaseUrl, new Dictionary<string, string?>
        {
            ["Jobs:Lease"] = "00:00:05",
            ["Orders:PaymentWindow"] = "00:00:30",
        });
        var port = ApiProcess.FreePort();
        var api = await ApiProcess.StartAsync(settings, port);
        var machines = await Load.MachinesAsync(simulator, machineCount);
        var load = new Load([api.BaseUrl], Seed);
        var checker = new InvariantChecker(database, simulator.Control) { SettleBudget = TimeSpan.FromSeconds(60) };

        var running = load.RunAsync(machines, trades, workers: 10, loadFor);
        var moments = new CrashMoments(checker, load, running, trades, kills, loadFor, random);
        for (var kill = 0; kill < kills; kill++)
        {
            if (await moments.WaitAsync(kill) is not { } inFlight)
            {
                break;
            }

            await api.KillAsync();
            moments.Killed(api.Pid, inFlight, "the API");
            await api.DisposeAsync();
            api = await ApiProcess.StartAsync(settings, port);
            moments.Note($"restarted as pid {api.Pid}");
        }

        await running;
        var loadEnded = DateTimeOffset.UtcNow;
        moments.Note($"load done: {load}");
        var name = nameof(Trades_in_flight_survive_the_api_being_killed_at_random_moments) + (longRun ? "(long)" : "");
        try
        {
            await Rig.VerifyAsync(checker, name, loadEnded);
            // Checkouts killed mid-call: their trades must be rejected once the 60 s create-order lease runs out.
            await moments.WaitForInterruptedCheckoutsAsync(database);
            var report = await Rig.VerifyAsync(checker, name, loadEnded);
            moments.Note(report.Summary);
            Figures.Note("soak", $"{(longRun ? "long" : "short")}: {trades} trades planned over {machineCount} machines, {kills} kills; {load}; {report.Summary}; "
                + string.Join("; ", moments.Timeline));

            moments.InFlightAtKills.ShouldNotBeEmpty("the load ended before the first kill");
            moments.InFlightAtKills.ShouldAllBe(n => n > 0, "a kill found no work in flight");
            report.TradesByStatus.ContainsKey("created").ShouldBeFalse("a checkout killed mid-call was never rejected");
            // How many trades a bounded run gets through depends on the machine (figures, not assertions); some must complete.
            report.TradesByStatus.GetValueOrDefault("completed").ShouldBeGreaterThan(0);
        }
        finally
        {
            moments.Timeline.ForEach(output.WriteLine);
            await api.DisposeAsync();
        }
    }
}
