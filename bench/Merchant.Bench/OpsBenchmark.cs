using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Merchant.Bench;

/// <summary>
/// Ops endpoints against history (issue 17): for each size in <c>--trades</c> (ascending), the history seeder tops the
/// database up to that many trades, then each ops request is timed sequentially (<c>--requests</c> each after 5 untimed).
/// Also prints the plan of the search for every filter combination and flags any that reads trades without a keyset index.
/// </summary>
public static class OpsBenchmark
{
    public static async Task RunAsync(Args args, Report report)
    {
        var settings = BenchSettings.From(args);
        var smoke = settings.Smoke;
        var sizes = args.Ints("trades", smoke ? [100_000] : [0, 1_000_000]);
        var requests = args.Int("requests", smoke ? 20 : 200);
        var machines = args.Int("machines", 50);
        var days = args.Int("days", 90);
        var workers = args.Int("seed-workers", 2);
        // Issue 17: checkout and first-result callback throughput with the history beside them, against the empty database.
        var throughputAt = args.Ints("throughput-at", smoke ? [] : [sizes.Min(), sizes.Max()]);
        var throughputDuration = args.Duration("duration", TimeSpan.FromSeconds(15));
        var callbackMachines = args.Int("callback-machines", 1000);

        await using var stack = await BenchStack.StartAsync("ops", settings);
        await stack.StartApisAsync(1, settings);
        using var client = BenchStack.Client(stack.Apis[0].BaseUrl, 1);
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        client.DefaultRequestHeaders.Add("X-Api-Key", BenchStack.OpsKey);
        long seeded = 0;
        var rows = new List<string[]>();
        var throughput = new List<string[]>();
        IReadOnlyList<BenchMachine>? checkoutMachines = null;
        foreach (var size in sizes.Order())
        {
            if (size > seeded)
            {
                var took = await HistorySeeder.SeedAsync(stack.ConnectionString, size - seeded, machines, days, BenchStack.Log, workers);
                report.Line($"Seeded {size - seeded:N0} trades in {took.TotalSeconds:F1} s ({(size - seeded) / Math.Max(0.001, took.TotalSeconds):N0} trades/s).");
                seeded = size;
            }

            var (total, bytes) = await SizeAsync(stack.ConnectionString);
            var machine = (10_000_000 + (machines > 1 ? 1 : 0)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var monthAgo = DateTimeOffset.UtcNow.AddDays(-30);
            var range = $"from={Uri.EscapeDataString(monthAgo.AddDays(-1).ToString("O"))}&to={Uri.EscapeDataString(monthAgo.ToString("O"))}";
            var deep = await CursorAsync(client, $"/api/v1/ops/trades?{range}");
            var any = await AnyTradeAsync(client);
            var probes = new List<(string Name, string Path)>
            {
                ("summary", "/api/v1/ops/summary"),
                ("trades (first page)", "/api/v1/ops/trades"),
                ("trades?status=completed", "/api/v1/ops/trades?status=completed"),
                ("trades?machine_no", $"/api/v1/ops/trades?machine_no={machine}"),
                ("trades?machine_no&status=refunded", $"/api/v1/ops/trades?machine_no={machine}&status=refunded"),
                ("trades?from&to (a day, 30 days ago)", $"/api/v1/ops/trades?{range}"),
                ("trades?page=100", "/api/v1/ops/trades?page=100"),
                ("trades?cursor (30 days deep)", deep is null ? "/api/v1/ops/trades" : $"/api/v1/ops/trades?cursor={deep}"),
                ("trades?limit=200", "/api/v1/ops/trades?limit=200"),
            };
            if (any is not null)
            {
                probes.Add(("trades/{id}", $"/api/v1/ops/trades/{any}"));
            }

            foreach (var (name, path) in probes)
            {
                var histogram = new Histogram();
                for (var i = 0; i < requests + 5; i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    using var response = await client.GetAsync(path);
                    await response.Content.ReadAsByteArrayAsync();
                    if (!response.IsSuccessStatusCode)
                    {
                        BenchStack.Problem($"ops {name}: HTTP {(int)response.StatusCode}");
                        break;
                    }

                    if (i >= 5)
                    {
                        histogram.RecordTicks(Stopwatch.GetTimestamp() - started);
                    }
                }

                rows.Add([Report.N(total), name, Report.N(histogram.Count), Report.Ms(histogram.PercentileMs(50)), Report.Ms(histogram.PercentileMs(99)),
                    Report.Ms(histogram.MaxMs)]);
            }

            if (throughputAt.Contains(size))
            {
                checkoutMachines ??= await stack.CreateMachinesAsync(50, products: 3, resultDelayMs: 100);
                await stack.SetUnpaidOrderLifetimeAsync(TimeSpan.FromSeconds(15));
                var bodies = checkoutMachines.Select(m => BenchStack.CheckoutBody(m, 2)).ToArray();
                var (checkout, checkoutFoot) = await CheckoutBenchmark.MeasureAsync("service", stack.Apis[0].BaseUrl, stack.Apis[0].Pid, stack, bodies,
                    64, throughputDuration, TimeSpan.FromSeconds(5), 2_000_000);
                throughput.Add(ThroughputRow(total, "checkout (64 connections)", checkout, checkoutFoot));
                // The callback phase pays its trades long after their checkout: their platform orders must still be open.
                await stack.SetUnpaidOrderLifetimeAsync(TimeSpan.FromMinutes(20));
                var (settling, settlingFoot, _, _, _) = await CallbackBenchmark.SettleAsync(stack, stack.Apis[0], callbackMachines, 64, smoke);
                throughput.Add(ThroughputRow(total, $"first-result callbacks ({callbackMachines} lines, 64 connections)", settling, settlingFoot));
            }

            report.Line($"At {total:N0} trades the database holds {bytes / 1048576.0:N0} MB ({(total == 0 ? 0 : bytes / total):N0} bytes per trade, indexes included).");
            report.Line();
            await PlansAsync(stack.ConnectionString, machine, judge: total >= 10_000, report);
        }

        report.Line($"### Ops endpoints against history (one client, sequential; load average at end {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
        report.Line();
        report.Table(["trades", "request", "n", "p50 ms", "p99 ms", "max ms"], rows);
        if (throughput.Count > 0)
        {
            report.Line("### Checkout and first-result callbacks with the history beside them");
            report.Line();
            report.Table(["trades", "load", "per s", "p50 ms", "p99 ms", "errors", "API CPU s /1k", "PostgreSQL CPU s /1k", "machine busy"], throughput);
        }
    }

    private static string[] ThroughputRow(long trades, string name, LoadResult r, FootprintResult f) =>
    [
        Report.N(trades), name, Report.N(r.PerSecond), Report.Ms(r.Latency.PercentileMs(50)), Report.Ms(r.Latency.PercentileMs(99)), r.ErrorSummary,
        Report.N(f.CpuSeconds[0] / Math.Max(1, r.Ok) * 1000, "F2"), Report.N(f.DbCpuSeconds / Math.Max(1, r.Ok) * 1000, "F2"), $"{f.MachineBusy * 100:F0} %",
    ];

    private static async Task<string?> CursorAsync(HttpClient client, string path)
    {
        using var document = JsonDocument.Parse(await client.GetStringAsync(path));
        return document.RootElement.TryGetProperty("next_cursor", out var cursor) && cursor.ValueKind == JsonValueKind.String
            ? Uri.EscapeDataString(cursor.GetString()!)
            : null;
    }

    private static async Task<string?> AnyTradeAsync(HttpClient client)
    {
        using var document = JsonDocument.Parse(await client.GetStringAsync("/api/v1/ops/trades?limit=1&page=3"));
        var items = document.RootElement.GetProperty("items");
        return items.GetArrayLength() == 0 ? null : items[0].GetProperty("trade_id").GetString();
    }

    private static async Task<(long Trades, long Bytes)> SizeAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT (SELECT count(*) FROM trades), pg_database_size(current_database())", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    // The shape of the service's search (OpsService.ListAsync): filters, the keyset condition, newest first, limit + 1.
    private static async Task PlansAsync(string connectionString, string machine, bool judge, Report report)
    {
        var combinations = new (string Name, string Where)[]
        {
            ("none", "true"),
            ("status", "status = 'completed'"),
            ("machine_no", $"machine_no = '{machine}'"),
            ("machine_no + status", $"machine_no = '{machine}' AND status = 'refunded'"),
            ("from/to", "created_at >= now() - interval '31 days' AND created_at < now() - interval '30 days'"),
            ("status + from/to", "status = 'completed' AND created_at >= now() - interval '31 days' AND created_at < now() - interval '30 days'"),
            ("machine_no + from/to", $"machine_no = '{machine}' AND created_at >= now() - interval '31 days' AND created_at < now() - interval '30 days'"),
            ("machine_no + status + from/to", $"machine_no = '{machine}' AND status = 'completed' AND created_at >= now() - interval '31 days' AND created_at < now() - interval '30 days'"),
        };
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var rows = new List<string[]>();
        foreach (var (name, where) in combinations)
        {
            var page = await PlanAsync(connection, $"""
                SELECT trade_id FROM trades WHERE {where} AND (created_at, trade_id) < (now() - interval '10 days', '99999999999999999999')
                ORDER BY created_at DESC, trade_id DESC LIMIT 51
                """);
            var count = await PlanAsync(connection, $"SELECT count(*) FROM (SELECT 1 FROM trades WHERE {where} LIMIT 10001) x");
            rows.Add([name, page, count]);
            // The planner may read a few matching rows by bitmap and sort them; what must never happen is a page read
            // without one of the keyset indexes. A near-empty table is read whole whatever its indexes: nothing to judge.
            if (judge && (page.Contains("Seq Scan", StringComparison.Ordinal) || !page.Contains("_keyset", StringComparison.Ordinal)))
            {
                BenchStack.Problem($"ops search plan for {name} reads trades without a keyset index: {page}");
            }
        }

        report.Table(["filter", "page plan", "total (≤ 10,001) plan"], rows);
        report.Line();
    }

    private static async Task<string> PlanAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand("EXPLAIN (FORMAT JSON) " + sql, connection);
        using var plan = JsonDocument.Parse((string)(await command.ExecuteScalarAsync())!);
        var nodes = new List<string>();
        Walk(plan.RootElement[0].GetProperty("Plan"), nodes);
        return string.Join(" ← ", nodes);
    }

    private static void Walk(JsonElement node, List<string> nodes)
    {
        var type = node.GetProperty("Node Type").GetString()!;
        nodes.Add(node.TryGetProperty("Index Name", out var index) ? $"{type} {index.GetString()}" : type);
        if (node.TryGetProperty("Plans", out var children))
        {
            foreach (var child in children.EnumerateArray())
            {
                Walk(child, nodes);
            }
        }
    }
}

/// <summary><c>seed --trades N --connection "Host=…"</c>: the history seeder on its own, for an operator trying the system.</summary>
public static class SeedCommand
{
    public static async Task RunAsync(Args args, Report report)
    {
        var connection = args.Text("connection", Environment.GetEnvironmentVariable("ConnectionStrings__Merchant") ?? "");
        if (connection.Length == 0)
        {
            throw new InvalidOperationException("seed needs --connection \"Host=…;Database=…\" (a database the API has migrated) or ConnectionStrings__Merchant.");
        }

        var trades = args.Int("trades", 100_000);
        var took = await HistorySeeder.SeedAsync(connection, trades, args.Int("machines", 50), args.Int("days", 90), BenchStack.Log);
        report.Line($"Seeded {trades:N0} trades in {took.TotalSeconds:F1} s.");
    }
}
