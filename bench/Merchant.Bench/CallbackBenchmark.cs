using System.Text;
using Vending.Platform.Simulator.Control;

namespace Merchant.Bench;

/// <summary>
/// Benchmark 3: platform dispense callbacks (POST /api/v1/platform/notify/{token}) the service accepts and applies.
/// Setup: one paid trade per machine, its line dispensing on a device that stays silent for the whole run, so the
/// simulator sends nothing itself. Phase "settling": one fresh success callback per line (each settles its line and
/// completes its trade). Phase "duplicate": the same callbacks again, round and round, for the duration.
/// </summary>
public static class CallbackBenchmark
{
    public static async Task RunAsync(Args args, Report report)
    {
        var settings = BenchSettings.From(args);
        var smoke = settings.Smoke;
        var machineCount = args.Int("machines", smoke ? 10 : 1000);
        var connections = args.Int("connections", smoke ? 4 : 64);
        var duration = args.Duration("duration", smoke ? TimeSpan.FromSeconds(1.5) : TimeSpan.FromSeconds(15));

        await using var stack = await BenchStack.StartAsync("callbacks", settings);
        await stack.StartApisAsync(1, settings);
        var api = stack.Apis[0];
        var (settling, settlingFoot, settled, post, lines) = await SettleAsync(stack, api, machineCount, connections, smoke);
        var afterSettling = await stack.CountByAsync("SELECT outcome, count(*) FROM platform_callbacks GROUP BY outcome");
        using var http = BenchStack.Client(api.BaseUrl, connections);
        var footprint = new Footprint([api.Pid], stack.Server.DataDirectory);
        var duplicates = await LoadRunner.RunAsync(connections, duration, 10_000_000, (n, ct) => post(http, n, ct));
        var duplicateFoot = await footprint.StopAsync();
        var all = await stack.CountByAsync("SELECT outcome, count(*) FROM platform_callbacks GROUP BY outcome");
        var duplicateOutcomes = BenchStack.Minus(all, afterSettling);
        BenchStack.Log($"duplicates: {duplicates.PerSecond:F0}/s; outcomes {Outcomes(duplicateOutcomes)}");
        report.Distribution("callbacks-settling", settling.Latency);
        report.Distribution("callbacks-duplicate", duplicates.Latency);

        report.Line($"### Callback ingestion: POST /api/v1/platform/notify/{{token}} ({connections} connections)");
        report.Line();
        report.Table(["phase", "callbacks", "callbacks/s", "p50 ms", "p99 ms", "max ms", "errors", "outcomes (platform_callbacks)", "API CPU s /1k", "PostgreSQL CPU s /1k", "RSS max MB", "machine busy"],
        [
            Row($"settling: first result of a dispensing line ({lines} lines)", settling, settlingFoot, settled),
            Row($"duplicate: the same results again ({duration.TotalSeconds:F0} s)", duplicates, duplicateFoot, duplicateOutcomes),
        ]);
    }

    /// <summary>
    /// The settling phase, on any stack (the ops benchmark runs it against history too): one paid trade on each of
    /// <paramref name="machineCount"/> new machines, its line dispensing on a silent device, then one first success
    /// callback per line. Returns the load, its footprint, the callbacks' outcomes, and a poster of the same callbacks.
    /// </summary>
    internal static async Task<(LoadResult Load, FootprintResult Foot, IReadOnlyDictionary<string, long> Outcomes,
        Func<HttpClient, long, CancellationToken, Task<string?>> Post, int Lines)> SettleAsync(
        BenchStack stack, Merchant.Testing.ApiProcess api, int machineCount, int connections, bool smoke)
    {
        // The device answers after 10 minutes and the platform's 120 s timeout is pushed out of the way: every line
        // stays dispensing until our callbacks settle it.
        await stack.Simulator.SettingsAsync(new SettingsRequest(null, 3600, null, null));
        var machines = await stack.CreateMachinesAsync(machineCount, products: 1, resultDelayMs: 600_000);
        var commandsBefore = await stack.SimCommandCountAsync();
        var outcomesBefore = await stack.CountByAsync("SELECT outcome, count(*) FROM platform_callbacks GROUP BY outcome");
        var trades = await stack.CheckoutManyAsync(machines, perMachine: 1, lines: 1, connections: 32);
        using (var client = BenchStack.Client(api.BaseUrl, 32))
        {
            await Parallel.ForEachAsync(trades, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (t, ct) =>
                await BenchStack.NotifyPaidAsync(client, t, ct));
        }

        BenchStack.Log($"callbacks: {trades.Count} trades paid; waiting for their dispense commands");
        await BenchStack.WaitUntilAsync(async () => await stack.SimCommandCountAsync() - commandsBefore >= trades.Count, TimeSpan.FromSeconds(smoke ? 20 : 120));
        var ids = trades.Select(t => t.TradeId).ToHashSet();
        var commands = (await stack.SimCommandsAsync()).Commands;
        var callbacks = commands.Where(c => c.TradeId is not null && ids.Contains(c.TradeId)).Select(c => (
            Path: $"/api/v1/platform/notify/{BenchStack.NotifyToken(c.TradeId!)}",
            Body: Encoding.UTF8.GetBytes($"{{\"method\":\"device.delivery.response\",\"order_id\":{c.OrderId},\"record_id\":{c.RecordId},\"deliver_status\":\"1\",\"floor_status\":\"1\"}}")))
            .ToArray();
        BenchStack.Log($"callbacks: {callbacks.Length} lines dispensing");
        if (callbacks.Length < trades.Count)
        {
            BenchStack.Problem($"callbacks: only {callbacks.Length} of {trades.Count} paid trades got their dispense command");
        }

        Func<HttpClient, long, CancellationToken, Task<string?>> post = async (http, n, ct) =>
        {
            var (path, body) = callbacks[(n - 1) % callbacks.Length];
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            using var response = await http.PostAsync(path, content, ct);
            await response.Content.ReadAsByteArrayAsync(ct);
            return (int)response.StatusCode == 200 ? null : $"HTTP {(int)response.StatusCode}";
        };

        using var settlingClient = BenchStack.Client(api.BaseUrl, connections);
        var footprint = new Footprint([api.Pid], stack.Server.DataDirectory);
        var settling = await LoadRunner.RunAsync(connections, TimeSpan.FromMinutes(5), callbacks.Length, (n, ct) => post(settlingClient, n, ct));
        var foot = await footprint.StopAsync();
        var settled = BenchStack.Minus(await stack.CountByAsync("SELECT outcome, count(*) FROM platform_callbacks GROUP BY outcome"), outcomesBefore);
        BenchStack.Log($"settling: {settling.PerSecond:F0}/s; outcomes {Outcomes(settled)}");
        await stack.Simulator.SettingsAsync(new SettingsRequest(null, 120, null, null));
        return (settling, foot, settled, post, callbacks.Length);
    }

    private static string Outcomes(IReadOnlyDictionary<string, long> counts) =>
        string.Join(", ", counts.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value}"));

    private static string[] Row(string phase, LoadResult r, FootprintResult f, IReadOnlyDictionary<string, long> outcomes) =>
    [
        phase, Report.N(r.Ok), Report.N(r.PerSecond), Report.Ms(r.Latency.PercentileMs(50)), Report.Ms(r.Latency.PercentileMs(99)),
        Report.Ms(r.Latency.MaxMs), r.ErrorSummary, Outcomes(outcomes),
        Report.N(f.CpuSeconds[0] / Math.Max(1, r.Ok) * 1000, "F2"), Report.N(f.DbCpuSeconds / Math.Max(1, r.Ok) * 1000, "F2"),
        Report.N(f.RssMaxMb[0]), $"{f.MachineBusy * 100:F0} %",
    ];
}
