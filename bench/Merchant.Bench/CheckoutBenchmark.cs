namespace Merchant.Bench;

/// <summary>
/// Benchmarks 1, 2 and 6: concurrent POST /api/v1/checkouts against the service and, in the same run, against the
/// baseline (the unavoidable work only), at each concurrency; CPU seconds and RSS per 1,000 checkouts.
/// </summary>
public static class CheckoutBenchmark
{
    private static readonly Dictionary<string, Dictionary<string, double>> PlatformCalls = [];

    public static async Task RunAsync(Args args, Report report)
    {
        var settings = BenchSettings.From(args);
        var smoke = settings.Smoke;
        var connections = args.Ints("connections", smoke ? [4] : [16, 64, 256]);
        var duration = args.Duration("duration", smoke ? TimeSpan.FromSeconds(1.5) : TimeSpan.FromSeconds(20));
        var warmup = args.Duration("warmup", smoke ? TimeSpan.FromSeconds(0.5) : TimeSpan.FromSeconds(10));
        var machineCount = args.Int("machines", smoke ? 4 : 50);
        var lines = args.Int("lines", 2);
        var maxRequests = args.Int("max-requests", 2_000_000);
        var target = args.Text("target", "both");

        await using var stack = await BenchStack.StartAsync("checkout", settings);
        await stack.StartApisAsync(1, settings);
        var machines = await stack.CreateMachinesAsync(machineCount, products: 3, resultDelayMs: 100);
        if (target is "both" or "baseline")
        {
            await stack.StartBaselineAsync(machines);
        }

        var bodies = machines.Select(m => BenchStack.CheckoutBody(m, lines)).ToArray();
        var api = stack.Apis[0];
        await stack.SetUnpaidOrderLifetimeAsync(TimeSpan.FromSeconds(15));
        // Both targets must keep the same promises before their speeds are compared.
        var semantics = new List<string[]>();
        if (target is "both" or "service")
        {
            semantics.Add(await ProbeIdempotencyAsync("service", api.BaseUrl, bodies));
        }

        if (stack.Baseline is { } probed)
        {
            semantics.Add(await ProbeIdempotencyAsync("baseline", probed.BaseUrl, bodies));
        }

        var rows = new List<string[]>();
        var ratios = new List<string[]>();
        foreach (var c in connections)
        {
            LoadResult? service = null, baseline = null;
            FootprintResult? serviceFoot = null, baselineFoot = null;
            if (target is "both" or "service")
            {
                (service, serviceFoot) = await MeasureAsync("service", api.BaseUrl, api.Pid, stack, bodies, c, duration, warmup, maxRequests);
                rows.Add(Row("service", service, serviceFoot));
                report.Distribution($"checkout-service-c{c}", service.Latency);
            }

            if (stack.Baseline is { } b)
            {
                (baseline, baselineFoot) = await MeasureAsync("baseline", b.BaseUrl, b.Pid, stack, bodies, c, duration, warmup, maxRequests);
                rows.Add(Row("baseline", baseline, baselineFoot));
                if (baseline.ErrorCount > 0)
                {
                    BenchStack.Log($"baseline output (last lines):\n{string.Join('\n', b.Output.Split('\n').TakeLast(30))}");
                }

                report.Distribution($"checkout-baseline-c{c}", baseline.Latency);
            }

            if (service is not null && baseline is not null)
            {
                ratios.Add([c.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Report.N(service.PerSecond), Report.N(baseline.PerSecond),
                    $"{service.PerSecond / baseline.PerSecond * 100:F0} %",
                    $"{service.Latency.PercentileMs(99) / Math.Max(0.001, baseline.Latency.PercentileMs(99)):F1}×",
                    $"{serviceFoot!.CpuSeconds[0] / service.Ok * 1000 / (baselineFoot!.CpuSeconds[0] / Math.Max(1, baseline.Ok) * 1000):F1}×",
                    $"{serviceFoot.DbCpuSeconds / service.Ok * 1000 / (baselineFoot.DbCpuSeconds / Math.Max(1, baseline.Ok) * 1000):F1}×"]);
            }
        }

        await stack.SetUnpaidOrderLifetimeAsync(TimeSpan.FromMinutes(20));
        var background = await BackgroundQueriesAsync(stack);

        report.Line($"### Checkout: POST /api/v1/checkouts ({lines} lines, {machineCount} machines, {duration.TotalSeconds:F0} s per run after {warmup.TotalSeconds:F0} s warm-up; simulator unpaid-order lifetime 15 s)");
        report.Line();
        report.Table(["target", "connections", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "ok", "errors",
            "process CPU s /1k", "PostgreSQL CPU s /1k", "bench (client + simulator) CPU s /1k", "RSS max MB", "machine busy"], rows);
        report.Line("Idempotency answers of each target (same key and body twice, then the same key with another body):");
        report.Line();
        report.Table(["target", "first", "repeat", "repeat answers the same trade", "same key, other body"], semantics);
        report.Line("Platform calls per checkout (simulator request counts): " + string.Join("; ", PlatformCalls.Select(p =>
            $"{p.Key}: {string.Join(", ", p.Value.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value:F2}"))}")));
        report.Line();
        if (ratios.Count > 0)
        {
            report.Line("Service against baseline (same run, same machines, same database):");
            report.Line();
            report.Table(["connections", "service req/s", "baseline req/s", "service / baseline", "p99 service / baseline",
                "process CPU per checkout, service / baseline", "PostgreSQL CPU per checkout, service / baseline"], ratios);
        }

        report.Line(background);
        report.Line();
    }

    /// <summary>
    /// The cost, on the database the run left behind (every checkout leaves an unpaid trade with a pending expiry job),
    /// of two queries every instance runs in the background: JobStore.NextDueAsync (after every NOTIFY wake-up) and
    /// Dispatcher.IdleMachinesAsync (Maintenance, every 3 s).
    /// </summary>
    private static async Task<string> BackgroundQueriesAsync(BenchStack stack)
    {
        await using var connection = new Npgsql.NpgsqlConnection(stack.ConnectionString);
        await connection.OpenAsync();
        async Task<(double Ms, string Result)> TimeAsync(string sql)
        {
            var samples = new List<double>();
            var result = "";
            for (var i = 0; i < 5; i++)
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                await using var command = new Npgsql.NpgsqlCommand(sql, connection);
                result = Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
                samples.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            samples.Sort();
            return (samples[2], result);
        }

        var pending = await TimeAsync("SELECT count(*) FROM jobs WHERE status = 'pending'");
        var lines = await TimeAsync("SELECT count(*) FROM trade_lines WHERE status = 'pending'");
        // Keep in step with JobStore.NextDueAsync.
        var nextDue = await TimeAsync("""
            SELECT least(
                (SELECT run_at FROM jobs WHERE status = 'pending' AND lease_until IS NULL ORDER BY run_at LIMIT 1),
                (SELECT lease_until FROM jobs WHERE status = 'pending' AND lease_until IS NOT NULL ORDER BY lease_until LIMIT 1))
            """);
        var idle = await TimeAsync("""
            SELECT count(*) FROM (SELECT DISTINCT l.machine_no AS "Value" FROM trade_lines l JOIN trades t ON t.trade_id = l.trade_id
            WHERE l.status = 'pending' AND t.status = 'dispensing'
              AND NOT EXISTS (SELECT 1 FROM trade_lines d WHERE d.machine_no = l.machine_no AND d.status = 'dispensing')) x
            """);
        return $"Background queries on the database this run left ({pending.Result} pending jobs, {lines.Result} pending lines of unpaid trades): "
            + $"JobStore.NextDueAsync takes {nextDue.Ms:F1} ms (median of 5), Dispatcher.IdleMachinesAsync {idle.Ms:F1} ms.";
    }

    internal static async Task<(LoadResult, FootprintResult)> MeasureAsync(string name, string baseUrl, int pid, BenchStack stack,
        byte[][] bodies, int connections, TimeSpan duration, TimeSpan warmup, int maxRequests)
    {
        BenchStack.Log($"checkout {name}: {connections} connections, {duration.TotalSeconds:F1} s");
        using var client = BenchStack.Client(baseUrl, connections);
        Func<long, CancellationToken, Task<string?>> action = async (n, ct) =>
        {
            var (status, _) = await BenchStack.CheckoutAsync(client, bodies[n % bodies.Length], parse: false, ct);
            return status == 201 ? null : $"HTTP {status}";
        };
        if (warmup > TimeSpan.Zero)
        {
            await LoadRunner.RunAsync(connections, warmup, maxRequests, action);
        }

        var requestsBefore = await stack.SimRequestsAsync();
        var footprint = new Footprint([pid, Environment.ProcessId], stack.Server.DataDirectory);
        var result = await LoadRunner.RunAsync(connections, duration, maxRequests, action);
        var foot = await footprint.StopAsync();
        var calls = BenchStack.Minus(await stack.SimRequestsAsync(), requestsBefore);
        BenchStack.Log($"  {result.PerSecond:F0} req/s, p50 {result.Latency.PercentileMs(50):F1} ms, p99 {result.Latency.PercentileMs(99):F1} ms, errors {result.ErrorSummary}; "
            + $"platform calls per checkout: {string.Join(", ", calls.Select(c => $"{c.Key} {c.Value / (double)Math.Max(1, result.Ok + result.ErrorCount):F2}"))}");
        PlatformCalls[$"{name}@{connections}"] = calls.ToDictionary(c => c.Key, c => c.Value / (double)Math.Max(1, result.Ok + result.ErrorCount));
        return (result, foot);
    }

    private static string[] Row(string name, LoadResult r, FootprintResult f) =>
    [
        name, r.Connections.ToString(System.Globalization.CultureInfo.InvariantCulture), Report.N(r.PerSecond),
        Report.Ms(r.Latency.PercentileMs(50)), Report.Ms(r.Latency.PercentileMs(90)), Report.Ms(r.Latency.PercentileMs(99)),
        Report.Ms(r.Latency.MaxMs), Report.N(r.Ok), r.ErrorSummary,
        Report.N(f.CpuSeconds[0] / Math.Max(1, r.Ok) * 1000, "F2"), Report.N(f.DbCpuSeconds / Math.Max(1, r.Ok) * 1000, "F2"),
        Report.N(f.CpuSeconds[1] / Math.Max(1, r.Ok) * 1000, "F2"), Report.N(f.RssMaxMb[0]), $"{f.MachineBusy * 100:F0} %",
    ];

    /// <summary>
    /// The same key and body twice (the stored answer replayed, the same trade), then the same key with another body
    /// (422): the baseline must answer as the service does, or the ratio compares different work.
    /// </summary>
    private static async Task<string[]> ProbeIdempotencyAsync(string name, string baseUrl, byte[][] bodies)
    {
        using var client = BenchStack.Client(baseUrl, 1);
        var key = Guid.NewGuid().ToString("N");
        async Task<(int Status, string Body)> SendAsync(byte[] body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/checkouts") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new("application/json");
            request.Headers.Add("Idempotency-Key", key);
            using var response = await client.SendAsync(request);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        static string? TradeId(string body)
        {
            try
            {
                using var json = System.Text.Json.JsonDocument.Parse(body);
                return json.RootElement.TryGetProperty("trade_id", out var id) ? id.GetString() : null;
            }
            catch (System.Text.Json.JsonException)
            {
                return null;
            }
        }

        var first = await SendAsync(bodies[0]);
        var repeat = await SendAsync(bodies[0]);
        var other = await SendAsync(bodies[^1].AsSpan().SequenceEqual(bodies[0]) ? [.. bodies[0], (byte)' '] : bodies[^1]);
        var same = TradeId(first.Body) is { } t && t == TradeId(repeat.Body);
        if (first.Status != 201 || repeat.Status is not (200 or 201) || !same || other.Status != 422)
        {
            BenchStack.Problem($"checkout {name}: idempotency answers {first.Status}, {repeat.Status} (same trade: {same}), {other.Status}; expected 201, the replay, 422");
        }

        return [name, first.Status.ToString(System.Globalization.CultureInfo.InvariantCulture), repeat.Status.ToString(System.Globalization.CultureInfo.InvariantCulture),
            same ? "yes" : "no", other.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)];
    }
}
