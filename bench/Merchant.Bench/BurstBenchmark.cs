using System.Diagnostics;
using System.Globalization;
using Vending.Platform.Simulator.Control;

namespace Merchant.Bench;

/// <summary>
/// Benchmark 7 (issue 14): the dead time a customer feels at the machine. N machines, one K-item cart each, all paid
/// at the same moment through the provider's signed notification; each item takes the device D (the simulator's
/// result delay). Everything on top of the device's own time is ours:
///   dead time of a trade = (payment sent → first command issued) + Σ (item i's result → item i+1's command issued),
/// where "result" is the simulator's FinishedAtReal (the device done; its callback follows within the simulator's
/// device tick) and "issued" its IssuedAtReal. Efficiency = ideal device time (K × D) ÷ actual (payment → last item
/// done), over all trades. The first burst after the API starts is "cold" (only checkouts ran before it), the second
/// "warm"; each burst uses machines of its own so no machine is busy when its payment lands.
/// </summary>
public static class BurstBenchmark
{
    public static async Task RunAsync(Args args, Report report)
    {
        var settings = BenchSettings.From(args);
        var smoke = settings.Smoke;
        var machineCount = args.Int("machines", smoke ? 4 : 40);
        var items = args.Int("items", smoke ? 2 : 4);
        var deviceMs = args.Int("device-ms", smoke ? 50 : 500);
        var bursts = args.Int("bursts", 2);
        // `--prime N`: N single trades paid one after another (each awaited) before the first burst, to tell first-use
        // costs multiplied by concurrency apart from the cost of a start.
        var prime = args.Int("prime", 0);

        await using var stack = await BenchStack.StartAsync("burst", settings);
        await stack.StartApisAsync(1, settings);
        var api = stack.Apis[0];
        var machines = await stack.CreateMachinesAsync(machineCount * bursts + prime, products: 1, resultDelayMs: deviceMs);
        // Every cart is checked out first (the storefront's part), then the bursts are paid one after the other.
        var trades = await stack.CheckoutManyAsync(machines.Take(machineCount * bursts).ToList(), perMachine: 1, lines: items, connections: 16);
        if (trades.Count < machineCount * bursts)
        {
            BenchStack.Problem($"burst: only {trades.Count} of {machineCount * bursts} checkouts succeeded");
        }

        if (prime > 0)
        {
            var primers = await stack.CheckoutManyAsync(machines.Skip(machineCount * bursts).ToList(), perMachine: 1, lines: items, connections: 1);
            using var client = BenchStack.Client(api.BaseUrl, 1);
            foreach (var primer in primers)
            {
                await BenchStack.NotifyPaidAsync(client, primer, CancellationToken.None);
                await BenchStack.WaitUntilAsync(async () => (await stack.SimCommandsAsync()).Commands.Count(c => c.TradeId == primer.TradeId && c.FinishedAtReal is not null) >= items,
                    TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
            }

            BenchStack.Log($"burst: {primers.Count} priming trade(s) paid and dispensed one by one");
        }

        var rows = new List<string[]>();
        for (var burst = 0; burst < bursts; burst++)
        {
            var group = trades.Skip(burst * machineCount).Take(machineCount).ToList();
            var name = burst == 0 ? "cold (first burst after start)" : $"warm (burst {burst + 1})";
            rows.Add(await RunBurstAsync(stack, api.BaseUrl, group, items, deviceMs, name, report, $"burst{burst + 1}"));
        }

        report.Line($"### Burst: {machineCount} machines × {items}-item carts paid at once, device time {deviceMs} ms per item");
        report.Line();
        report.Table(["burst", "trades", "pay → first command p50 ms", "p99 ms", "result → next command p50 ms", "p99 ms", "max ms",
            "dead time per trade p50 ms", "p99 ms", "efficiency (ideal ÷ actual)", "all dispensed"], rows);
        report.Line("Targets: pay → first command p99 ≤ 100 ms, result → next command p99 ≤ 50 ms, cold and warm; efficiency ≥ 95 % at 40 × 4 × 0.5 s.");
        report.Line();
    }

    private static async Task<string[]> RunBurstAsync(BenchStack stack, string baseUrl, List<BenchTrade> group, int items, int deviceMs,
        string name, Report report, string file)
    {
        var ids = group.Select(t => t.TradeId).ToHashSet();
        var sent = new Dictionary<string, DateTimeOffset>();
        using var client = BenchStack.Client(baseUrl, group.Count);
        // All at once: the tasks are created together and each stamps its own send time.
        var clock = Stopwatch.StartNew();
        var statuses = await Task.WhenAll(group.Select(async t =>
        {
            await Task.Yield();
            var at = DateTimeOffset.UtcNow;
            var status = await BenchStack.NotifyPaidAsync(client, t, CancellationToken.None);
            return (t.TradeId, At: at, Status: status);
        }));
        foreach (var (tradeId, at, status) in statuses)
        {
            sent[tradeId] = at;
            if (status >= 300)
            {
                BenchStack.Problem($"burst {name}: payment of {tradeId} answered HTTP {status}");
            }
        }

        var expected = group.Count * items;
        var within = TimeSpan.FromMilliseconds((items * deviceMs * 3) + 60_000);
        var done = await BenchStack.WaitUntilAsync(async () => Finished(await stack.SimCommandsAsync(), ids) >= expected, within,
            TimeSpan.FromMilliseconds(250));
        BenchStack.Log($"burst {name}: {group.Count} trades paid; all {expected} items done: {done} after {clock.Elapsed.TotalSeconds:F1} s");
        if (!done)
        {
            BenchStack.Problem($"burst {name}: {Finished(await stack.SimCommandsAsync(), ids)} of {expected} items done within {within.TotalSeconds:F0} s");
        }

        var commands = (await stack.SimCommandsAsync()).Commands
            .Where(c => c.TradeId is not null && ids.Contains(c.TradeId) && !c.Debug)
            .GroupBy(c => c.TradeId!)
            .ToDictionary(g => g.Key, g => g.OrderBy(c => c.IssuedAtReal).ToList());
        var first = new Histogram();
        var gaps = new Histogram();
        var dead = new Histogram();
        double ideal = 0, actual = 0;
        var complete = 0;
        foreach (var (tradeId, at) in sent)
        {
            if (!commands.TryGetValue(tradeId, out var list) || list.Count == 0)
            {
                continue;
            }

            var toFirst = list[0].IssuedAtReal - at;
            first.Record(toFirst);
            var deadTime = toFirst;
            for (var i = 1; i < list.Count; i++)
            {
                if (list[i - 1].FinishedAtReal is { } finished)
                {
                    var gap = list[i].IssuedAtReal - finished;
                    gaps.Record(gap);
                    deadTime += gap;
                }
            }

            if (list.Count == items && list.All(c => c.Outcome == "success") && list[^1].FinishedAtReal is { } last)
            {
                complete++;
                dead.Record(deadTime);
                ideal += items * deviceMs;
                actual += (last - at).TotalMilliseconds;
            }
        }

        var firstIssued = commands.ToDictionary(c => c.Key, c => c.Value[0].IssuedAtReal);
        var breakdown = await LatencyBenchmark.BreakdownAsync(stack, sent, firstIssued);
        report.Line($"Where the time goes, {name}, payment → first command (from the trade's timeline and job rows; p50 / p99 ms):");
        report.Line();
        report.Table(["step", "p50 ms", "p99 ms"], breakdown);
        report.Distribution($"{file}-pay-to-first", first);
        report.Distribution($"{file}-result-to-next", gaps);
        report.Distribution($"{file}-dead-time", dead);
        var efficiency = actual > 0 ? ideal / actual : 0;
        BenchStack.Log($"burst {name}: pay → first p50 {first.PercentileMs(50):F1} / p99 {first.PercentileMs(99):F1} ms; result → next p50 "
            + $"{gaps.PercentileMs(50):F1} / p99 {gaps.PercentileMs(99):F1} ms; efficiency {efficiency * 100:F1} %");
        return
        [
            name, Report.N(group.Count), Report.Ms(first.PercentileMs(50)), Report.Ms(first.PercentileMs(99)),
            Report.Ms(gaps.PercentileMs(50)), Report.Ms(gaps.PercentileMs(99)), Report.Ms(gaps.MaxMs),
            Report.Ms(dead.PercentileMs(50)), Report.Ms(dead.PercentileMs(99)),
            (efficiency * 100).ToString("F1", CultureInfo.InvariantCulture) + " %", $"{complete}/{group.Count}",
        ];
    }

    private static int Finished(CommandLogView log, HashSet<string> ids) =>
        log.Commands.Count(c => c.TradeId is not null && ids.Contains(c.TradeId) && c.FinishedAtReal is not null);
}
