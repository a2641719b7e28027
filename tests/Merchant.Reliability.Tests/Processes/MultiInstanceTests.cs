using System.Diagnostics;
using System.Text.RegularExpressions;
using Merchant.Reliability.Tests.Infrastructure;
using Merchant.Testing;
using Xunit.Abstractions;

namespace Merchant.Reliability.Tests.Processes;

/// <summary>Three API processes on one database and one platform share a few hundred concurrent trades on a few dozen machines.</summary>
[Collection("processes")]
public sealed partial class MultiInstanceTests(ITestOutputHelper output)
{
    private const int Instances = 3;

    [Fact]
    public async Task Three_instances_share_the_work_and_no_line_is_claimed_twice()
    {
        var database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("multi");
        await using var simulator = await SimulatorHost.StartAsync();
        var settings = HostSettings.For(database, simulator.BaseUrl, new Dictionary<string, string?>
        {
            // Quiet, but for the one line that names which instance sent which command.
            ["Serilog:MinimumLevel:Override:Merchant.Api.Dispensing.DispenseHandler"] = "Information",
            ["Jobs:Concurrency"] = "8",
        });
        var apis = new List<ApiProcess>();
        try
        {
            for (var i = 0; i < Instances; i++)
            {
                apis.Add(await ApiProcess.StartAsync(settings, outputLines: 200_000));
            }

            Figures.Add("instances", Instances);
            var clock = Stopwatch.StartNew();
            var machines = await Load.MachinesAsync(simulator, 30);
            var load = new Load([.. apis.Select(a => a.BaseUrl)], seed: 777);

            await load.RunAsync(machines, trades: 300, workers: 12, TimeSpan.FromSeconds(45));
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0}s: load done: {load}");
            var checker = new InvariantChecker(database, simulator.Control) { SettleBudget = TimeSpan.FromSeconds(60) };
            var report = await Rig.VerifyAsync(checker, nameof(Three_instances_share_the_work_and_no_line_is_claimed_twice), within: TimeSpan.FromSeconds(30));
            var sent = apis.Select(a => CommandsSent().Matches(a.Output).Select(m => $"{m.Groups[1].Value}/{m.Groups[2].Value}").ToList()).ToList();
            var claimedTwice = sent.SelectMany(s => s).GroupBy(l => l).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0}s: {report.Summary}; commands sent per instance: {string.Join(", ", sent.Select(s => s.Count))}");
            Figures.Note("multi_instance", $"{Instances} instances; {load}; commands sent per instance {string.Join("/", sent.Select(s => s.Count))}; {report.Summary}");

            // How many trades a bounded run gets through depends on the machine (figures, not assertions).
            report.TradesByStatus.GetValueOrDefault("completed").ShouldBeGreaterThan(0);
            claimedTwice.ShouldBeEmpty();
            if (sent.Sum(s => s.Count) >= 30)
            {
                sent.Count(s => s.Count > 0).ShouldBeGreaterThanOrEqualTo(2, "the work was not shared between instances");
            }

            sent.Sum(s => s.Count).ShouldBeLessThanOrEqualTo(report.Commands);
        }
        finally
        {
            foreach (var api in apis)
            {
                await api.DisposeAsync();
            }
        }
    }

    // DispenseHandler.LogSent: "Trade {TradeId} line {LineId}: dispense command accepted by machine …"
    [GeneratedRegex(@"Trade (\d+) line (\d+): dispense command accepted")]
    private static partial Regex CommandsSent();
}
