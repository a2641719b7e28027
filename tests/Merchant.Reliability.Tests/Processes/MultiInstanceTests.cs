using System.Text.RegularExpressions;
using Merchant.Reliability.Tests.Infrastructure;
using Merchant.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Merchant.Reliability.Tests.Processes;

/// <summary>
/// Three API processes on one database and one platform share up to a thousand trades on a few dozen machines,
/// while one of them at a time — the one holding the most job leases — is SIGKILLed mid-load and restarted on its port
/// (up to three times; a restart beside two busy instances takes 20–40 s): the survivors take over its jobs when their
/// leases run out, and no line is claimed or sent twice.
/// </summary>
[Collection(KillsUnderLoad.Name)]
public sealed partial class MultiInstanceTests(ITestOutputHelper output)
{
    private const int Instances = 3;
    private const int Kills = 3;
    private const int Seed = 777;

    [Fact]
    public async Task Three_instances_share_the_work_survive_one_being_killed_repeatedly_and_no_line_is_claimed_twice()
    {
        var database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("multi");
        await using var simulator = await SimulatorHost.StartAsync();
        var settings = HostSettings.For(database, simulator.BaseUrl, new Dictionary<string, string?>
        {
            // Quiet, but for the one line that names which instance sent which command.
            ["Serilog:MinimumLevel:Override:Merchant.Api.Dispensing.DispenseHandler"] = "Information",
            ["Jobs:Concurrency"] = "8",
            ["Jobs:Lease"] = "00:00:05",
        });
        var random = new Random(Seed);
        var ports = Enumerable.Range(0, Instances).Select(_ => ApiProcess.FreePort()).ToList();
        // Every process an instance slot ever ran, killed ones included: their output names the commands they sent.
        var processes = Enumerable.Range(0, Instances).Select(_ => new List<ApiProcess>()).ToList();
        try
        {
            for (var i = 0; i < Instances; i++)
            {
                processes[i].Add(await ApiProcess.StartAsync(settings, ports[i], outputLines: 200_000));
            }

            Figures.Add("instances", Instances);
            var machines = await Load.MachinesAsync(simulator, 30);
            var load = new Load([.. processes.Select(p => p[0].BaseUrl)], Seed);
            var checker = new InvariantChecker(database, simulator.Control) { SettleBudget = TimeSpan.FromSeconds(60) };
            // Long enough for more than one kill: a killed instance takes 20–40 s to restart beside two busy ones (its code
            // is compiled fully optimised on first call, decision 0008), and the next kill waits for it. With 300 trades in
            // 45 s the load ended after one kill, before the restarted instance had claimed a job.
            const int Trades = 1000;
            var loadFor = TimeSpan.FromSeconds(90);

            var running = load.RunAsync(machines, Trades, workers: 12, loadFor);
            var moments = new CrashMoments(checker, load, running, Trades, Kills, loadFor, random);
            for (var kill = 0; kill < Kills; kill++)
            {
                if (await moments.WaitAsync(kill) is not { } inFlight)
                {
                    break;
                }

                // The instance holding the most job leases (waiting up to 3 s for one to hold any), so the kill leaves work
                // only the end of its leases hands to the survivors: a seeded random choice killed, run after run, an
                // instance that had claimed nothing yet.
                var (slot, leases) = await BusiestAsync(database, [.. processes.Select(p => p[^1].Pid)], TimeSpan.FromSeconds(3)) is { } busiest
                    ? busiest
                    : (random.Next(Instances), 0L);
                var victim = processes[slot][^1];
                await victim.KillAsync();
                moments.Killed(victim.Pid, inFlight, $"instance {slot + 1} of {Instances} holding {leases} job lease(s)");
                processes[slot].Add(await ApiProcess.StartAsync(settings, ports[slot], outputLines: 200_000));
                moments.Note($"instance {slot + 1} restarted as pid {processes[slot][^1].Pid}");
            }

            await running;
            var loadEnded = DateTimeOffset.UtcNow;
            moments.Note($"load done: {load}");
            var name = nameof(Three_instances_share_the_work_survive_one_being_killed_repeatedly_and_no_line_is_claimed_twice);
            var report = await Rig.VerifyAsync(checker, name, loadEnded);
            if (report.TradesByStatus.ContainsKey("created"))
            {
                // Checkouts killed mid-call: their trades must be rejected once the 60 s create-order lease runs out.
                await moments.WaitForInterruptedCheckoutsAsync(database);
                report = await Rig.VerifyAsync(checker, name, loadEnded);
            }

            var sent = processes.Select(slot => slot.SelectMany(p => CommandsSent().Matches(p.Output)).Select(m => $"{m.Groups[1].Value}/{m.Groups[2].Value}").ToList()).ToList();
            var claimedTwice = sent.SelectMany(s => s).GroupBy(l => l).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            moments.Note($"{report.Summary}; commands sent per instance: {string.Join(", ", sent.Select(s => s.Count))}");
            Figures.Note("multi_instance", $"{Instances} instances, {moments.InFlightAtKills.Count} kills; {load}; commands sent per instance "
                + $"{string.Join("/", sent.Select(s => s.Count))}; {report.Summary}; {string.Join("; ", moments.Timeline)}");

            moments.Timeline.ForEach(output.WriteLine);
            moments.InFlightAtKills.ShouldNotBeEmpty("the load ended before the first kill");
            moments.InFlightAtKills.ShouldAllBe(n => n > 0, "a kill found no work in flight");
            // How many trades a bounded run gets through depends on the machine (figures, not assertions).
            report.TradesByStatus.GetValueOrDefault("completed").ShouldBeGreaterThan(0);
            report.TradesByStatus.ContainsKey("created").ShouldBeFalse("a checkout killed mid-call was never rejected");
            claimedTwice.ShouldBeEmpty();
            if (sent.Sum(s => s.Count) >= 30)
            {
                sent.Count(s => s.Count > 0).ShouldBeGreaterThanOrEqualTo(2, "the work was not shared between instances");
            }

            sent.Sum(s => s.Count).ShouldBeLessThanOrEqualTo(report.Commands);
        }
        finally
        {
            foreach (var process in processes.SelectMany(p => p))
            {
                await process.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// The instance (index into <paramref name="pids"/>) holding the most unexpired job leases and how many, or null when
    /// none holds one within <paramref name="within"/>. A lease names its holder as <c>JobStore.InstanceId</c>:
    /// "{machine}-{pid}-{guid}".
    /// </summary>
    private static async Task<(int Slot, long Leases)?> BusiestAsync(string database, IReadOnlyList<int> pids, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        while (true)
        {
            if (await LeasesAsync(database, pids) is var leases && leases.Max() is var most and > 0)
            {
                return (Array.IndexOf(leases, most), most);
            }

            if (DateTime.UtcNow > until)
            {
                return null;
            }

            await Task.Delay(100);
        }
    }

    private static async Task<long[]> LeasesAsync(string database, IReadOnlyList<int> pids)
    {
        await using var connection = await CheckData.OpenAsync(database);
        await using var command = new NpgsqlCommand("""
            SELECT locked_by, count(*) FROM jobs
            WHERE status = 'pending' AND locked_by IS NOT NULL AND lease_until > now()
            GROUP BY locked_by
            """, connection);
        var leases = new long[pids.Count];
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var holder = reader.GetString(0);
            for (var i = 0; i < pids.Count; i++)
            {
                if (holder.StartsWith($"{Environment.MachineName}-{pids[i]}-", StringComparison.Ordinal))
                {
                    leases[i] += reader.GetInt64(1);
                }
            }
        }

        return leases;
    }

    // DispenseHandler.LogSent: "Trade {TradeId} line {LineId}: dispense command accepted by machine …"
    [GeneratedRegex(@"Trade (\d+) line (\d+): dispense command accepted")]
    private static partial Regex CommandsSent();
}
