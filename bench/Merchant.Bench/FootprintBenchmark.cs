namespace Merchant.Bench;

/// <summary>
/// Benchmark 6: resident memory (VmRSS of the API process, /proc/pid/status) and CPU seconds (utime+stime,
/// /proc/pid/stat) per 1,000 checkouts, for a fixed number of checkouts at a fixed concurrency.
/// </summary>
public static class FootprintBenchmark
{
    public static async Task RunAsync(Args args, Report report)
    {
        var settings = BenchSettings.From(args);
        var smoke = settings.Smoke;
        var checkouts = args.Int("checkouts", smoke ? 200 : 10_000);
        var connections = args.Int("connections", smoke ? 4 : 64);
        var machineCount = args.Int("machines", smoke ? 4 : 50);
        var duration = args.Duration("duration", smoke ? TimeSpan.FromSeconds(2) : TimeSpan.FromMinutes(10));

        await using var stack = await BenchStack.StartAsync("footprint", settings);
        await stack.StartApisAsync(1, settings);
        var api = stack.Apis[0];
        var machines = await stack.CreateMachinesAsync(machineCount, products: 3, resultDelayMs: 100);
        var bodies = machines.Select(m => BenchStack.CheckoutBody(m, 2)).ToArray();
        await stack.SetUnpaidOrderLifetimeAsync(TimeSpan.FromSeconds(15));
        await Task.Delay(TimeSpan.FromSeconds(smoke ? 0.2 : 3));
        var idle = ProcessStats.Memory(api.Pid);
        using var client = BenchStack.Client(api.BaseUrl, connections);
        var footprint = new Footprint([api.Pid], stack.Server.DataDirectory);
        var result = await LoadRunner.RunAsync(connections, duration, checkouts, async (n, ct) =>
        {
            var (status, _) = await BenchStack.CheckoutAsync(client, bodies[n % bodies.Length], parse: false, ct);
            return status == 201 ? null : $"HTTP {status}";
        });
        var foot = await footprint.StopAsync();
        await stack.SetUnpaidOrderLifetimeAsync(TimeSpan.FromMinutes(20));
        var peak = ProcessStats.Memory(api.Pid).PeakMb;
        var perK = foot.CpuSeconds[0] / Math.Max(1, result.Ok) * 1000;
        BenchStack.Log($"footprint: {result.Ok} checkouts, CPU {foot.CpuSeconds[0]:F1} s, RSS idle {idle.RssMb:F0} MB, max {foot.RssMaxMb[0]:F0} MB");

        report.Line($"### Footprint of one API instance: {result.Ok} checkouts at {connections} connections");
        report.Line();
        report.Table(["checkouts ok", "errors", "req/s", "API CPU s", "API CPU s /1k checkouts", "PostgreSQL CPU s /1k", "RSS idle MB (after start-up)", "RSS max MB (sampled)", "VmHWM MB", "RSS after MB"],
        [[
            Report.N(result.Ok), result.ErrorSummary, Report.N(result.PerSecond), Report.N(foot.CpuSeconds[0], "F1"), Report.N(perK, "F2"),
            Report.N(foot.DbCpuSeconds / Math.Max(1, result.Ok) * 1000, "F2"), Report.N(idle.RssMb), Report.N(foot.RssMaxMb[0]), Report.N(peak), Report.N(foot.RssEndMb[0]),
        ]]);
    }
}
