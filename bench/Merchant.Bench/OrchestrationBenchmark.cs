using System.Diagnostics;

namespace Merchant.Bench;

/// <summary>
/// Benchmark 5: dispense commands per second the service sustains. Many machines, each with queued paid trades and
/// instant simulated dispensing; the service runs the whole chain (confirm with the platform, dispatch one line per
/// machine, send the command, take the simulator's callback, dispatch the next line). Run with one and with three
/// API instances on one database. "Sustained" is measured from the first payment sent until 95 % of the commands were
/// issued, from the simulator's command log (paying 2,000 trades takes about as long as dispensing them, so payments
/// and commands flow together; the last 5 % are the tail of the slowest machines).
/// </summary>
public static class OrchestrationBenchmark
{
    public static async Task RunAsync(Args args, Report report)
    {
        var settings = BenchSettings.From(args);
        var smoke = settings.Smoke;
        var instances = args.Ints("instances", smoke ? [1, 2] : [1, 3]);
        var machineCount = args.Int("machines", smoke ? 5 : 500);
        var tradesPerMachine = args.Int("trades-per-machine", smoke ? 1 : 4);
        var lines = args.Int("lines", 2);
        var resultDelayMs = args.Int("result-delay-ms", 1);
        var timeout = args.Duration("timeout", smoke ? TimeSpan.FromSeconds(20) : TimeSpan.FromSeconds(180));

        var rows = new List<string[]>();
        var rates = new Dictionary<int, double>();
        foreach (var count in instances)
        {
            var (row, rate) = await RunOnceAsync(count, settings, machineCount, tradesPerMachine, lines, resultDelayMs, timeout);
            rows.Add(row);
            rates[count] = rate;
        }

        report.Line($"### Orchestration: {machineCount} machines × {tradesPerMachine} paid trades × {lines} lines, result_delay_ms {resultDelayMs}");
        report.Line();
        report.Table(["API instances", "commands", "sustained commands/s", "overall commands/s", "all dispensed", "refused by the platform",
            "API CPU s /1k commands (sum)", "PostgreSQL CPU s /1k", "RSS max MB per instance", "machine busy"], rows);
        if (rates.Count > 1 && rates.TryGetValue(instances[0], out var one) && one > 0)
        {
            report.Line(string.Join("; ", rates.Where(r => r.Key != instances[0]).Select(r => $"{r.Key} instances / {instances[0]}: {r.Value / one:F2}×")));
            report.Line();
        }
    }

    private static async Task<(string[] Row, double Rate)> RunOnceAsync(int instances, BenchSettings settings, int machineCount, int tradesPerMachine,
        int lines, int resultDelayMs, TimeSpan timeout)
    {
        await using var stack = await BenchStack.StartAsync($"orchestration{instances}", settings, o => o.ResultDelay = TimeSpan.FromMilliseconds(resultDelayMs));
        await stack.StartApisAsync(instances, settings);
        var machines = await stack.CreateMachinesAsync(machineCount, products: 1, resultDelayMs: resultDelayMs);
        var apis = stack.Apis.Take(instances).ToList();
        var trades = await stack.CheckoutManyAsync(machines, tradesPerMachine, lines, connections: 32, [.. apis.Select(a => a.BaseUrl)]);
        var commandsBefore = await stack.SimCommandCountAsync();
        var tradeIds = trades.Select(t => t.TradeId).ToArray();
        const string LinesSql = "SELECT status, count(*) FROM trade_lines WHERE trade_id = ANY($1) GROUP BY status";
        var total = trades.Count * lines;
        BenchStack.Log($"orchestration ×{instances}: {trades.Count} trades, {total} lines; paying");

        var footprint = new Footprint(apis.Select(a => a.Pid), stack.Server.DataDirectory);
        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.UtcNow;
        var clients = apis.ToDictionary(a => a.BaseUrl.TrimEnd('/'), a => BenchStack.Client(a.BaseUrl, 32));
        // Paid in checkout order: machine by machine round the fleet, so every machine gets work early.
        await Parallel.ForEachAsync(trades, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (t, ct) =>
            await BenchStack.NotifyPaidAsync(clients[t.ApiBaseUrl], t, ct));
        var paid = DateTimeOffset.UtcNow;
        foreach (var client in clients.Values)
        {
            client.Dispose();
        }

        BenchStack.Log($"orchestration ×{instances}: paid in {(paid - started).TotalSeconds:F1} s; waiting for {total} commands");
        await BenchStack.WaitUntilAsync(async () => await stack.SimCommandCountAsync() - commandsBefore >= total, timeout, TimeSpan.FromMilliseconds(250));
        var elapsed = clock.Elapsed;
        var foot = await footprint.StopAsync();
        var log = await stack.SimCommandsAsync();
        var ids = trades.Select(t => t.TradeId).ToHashSet();
        var issued = log.Commands.Where(c => c.TradeId is not null && ids.Contains(c.TradeId)).Select(c => c.IssuedAtReal).Order().ToList();
        var refused = log.Refused.Count(r => r.AtReal >= started);
        var rate = Sustained(issued, started, total);
        var overall = issued.Count / Math.Max(0.001, ((issued.Count > 0 ? issued[^1] : paid) - started).TotalSeconds);
        await BenchStack.WaitUntilAsync(async () => (await stack.CountByAsync(LinesSql, tradeIds)).GetValueOrDefault("dispensed") >= total,
            TimeSpan.FromSeconds(10));
        var lineStates = await stack.CountByAsync(LinesSql, tradeIds);
        BenchStack.Log($"orchestration ×{instances}: {issued.Count} commands in {elapsed.TotalSeconds:F1} s; sustained {rate:F0}/s; lines {string.Join(", ", lineStates.Select(kv => $"{kv.Key} {kv.Value}"))}");
        if (lineStates.GetValueOrDefault("dispensed") < total)
        {
            BenchStack.Problem($"orchestration ×{instances}: {lineStates.GetValueOrDefault("dispensed")} of {total} lines dispensed");
        }

        var cpu = foot.CpuSeconds.Sum();
        return ([
            instances.ToString(System.Globalization.CultureInfo.InvariantCulture), Report.N(issued.Count), Report.N(rate), Report.N(overall),
            $"{lineStates.GetValueOrDefault("dispensed")}/{total}", Report.N(refused),
            Report.N(cpu / Math.Max(1, issued.Count) * 1000, "F2"), Report.N(foot.DbCpuSeconds / Math.Max(1, issued.Count) * 1000, "F2"),
            string.Join(" / ", foot.RssMaxMb.Select(m => Report.N(m))), $"{foot.MachineBusy * 100:F0} %",
        ], rate);
    }

    /// <summary>
    /// Commands per second from <paramref name="from"/> (the first payment sent) until 95 % of all commands were issued.
    /// Until round four of issue 14 the window began when the last payment was accepted; by then nearly every command
    /// had been issued, so it measured the last second or so of the run, not its throughput.
    /// </summary>
    private static double Sustained(List<DateTimeOffset> issued, DateTimeOffset from, int total)
    {
        if (issued.Count == 0)
        {
            return 0;
        }

        var end = issued[Math.Min(issued.Count - 1, Math.Max(1, (int)(total * 0.95)) - 1)];
        var count = issued.Count(t => t <= end);
        return count / Math.Max(0.001, (end - from).TotalSeconds);
    }
}
