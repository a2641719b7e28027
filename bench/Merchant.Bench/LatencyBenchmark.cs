using System.Collections.Concurrent;
using System.Diagnostics;

namespace Merchant.Bench;

/// <summary>
/// Benchmark 4: time from the payment notification to the simulator receiving the first dispense command of the
/// trade (its command log's issued_at_real). One trade per machine so no machine is busy; payments are sent
/// open-loop at a fixed rate (no coordinated omission). Two ways in: the provider's signed notification posted to
/// /api/v1/payments/sandbox/notify (the figure asked for), and POST /api/v1/sandbox/trades/{id}/pay (adds the
/// sandbox's notification job and its HTTP hop).
/// </summary>
public static class LatencyBenchmark
{
    public static async Task RunAsync(Args args, Report report)
    {
        var settings = BenchSettings.From(args);
        var smoke = settings.Smoke;
        var tradesPerMode = args.Int("trades", smoke ? 10 : 300);
        var rate = args.Double("rate", smoke ? 20 : 25);

        await using var stack = await BenchStack.StartAsync("latency", settings);
        await stack.StartApisAsync(1, settings);
        var api = stack.Apis[0];
        // Warm-up trades go through both ways in first, untimed, so the figures are those of a running service and
        // not of the JIT's first minutes (a cold process takes several times longer per step).
        var warmup = args.Int("warmup-trades", smoke ? 0 : 200);
        var machines = await stack.CreateMachinesAsync((tradesPerMode * 2) + warmup, products: 1, resultDelayMs: 100);
        var trades = await stack.CheckoutManyAsync(machines, perMachine: 1, lines: 2, connections: 16);
        if (warmup > 0)
        {
            var warm = trades.Take(warmup).ToList();
            await PayAtRateAsync(api.BaseUrl, warm.Take(warmup / 2).ToList(), rate, notify: true);
            await PayAtRateAsync(api.BaseUrl, warm.Skip(warmup / 2).ToList(), rate, notify: false);
            var warmIds = warm.Select(t => t.TradeId).ToHashSet();
            await BenchStack.WaitUntilAsync(async () =>
                (await stack.SimCommandsAsync()).Commands.Where(c => c.TradeId is not null && warmIds.Contains(c.TradeId)).Select(c => c.TradeId).Distinct().Count() >= warm.Count,
                TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(500));
            await Task.Delay(TimeSpan.FromSeconds(2));
            BenchStack.Log($"latency: {warmup} warm-up trades paid and dispensing");
            trades = [.. trades.Skip(warmup)];
        }

        var notifyTrades = trades.Take(trades.Count / 2).ToList();
        var payTrades = trades.Skip(trades.Count / 2).ToList();

        var rows = new List<string[]>();
        var breakdowns = new List<(string Mode, List<string[]> Rows)>();
        foreach (var (mode, group) in new[] { ("provider notification → first dispense", notifyTrades), ("sandbox pay endpoint → first dispense", payTrades) })
        {
            var sent = await PayAtRateAsync(api.BaseUrl, group, rate, mode.StartsWith("provider", StringComparison.Ordinal));
            var ids = group.Select(t => t.TradeId).ToHashSet();
            await BenchStack.WaitUntilAsync(async () =>
                (await stack.SimCommandsAsync()).Commands.Where(c => c.TradeId is not null && ids.Contains(c.TradeId)).Select(c => c.TradeId).Distinct().Count() >= group.Count,
                TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(500));
            var first = (await stack.SimCommandsAsync()).Commands
                .Where(c => c.TradeId is not null && ids.Contains(c.TradeId))
                .GroupBy(c => c.TradeId!)
                .ToDictionary(g => g.Key, g => g.Min(c => c.IssuedAtReal));
            var histogram = new Histogram();
            foreach (var (tradeId, at) in sent)
            {
                if (first.TryGetValue(tradeId, out var issued))
                {
                    histogram.Record(issued - at);
                }
            }

            var missing = group.Count - (int)histogram.Count;
            report.Distribution(mode.StartsWith("provider", StringComparison.Ordinal) ? "latency-notify" : "latency-pay", histogram);
            rows.Add([mode, Report.N(histogram.Count), Report.N(rate), Report.Ms(histogram.PercentileMs(50)), Report.Ms(histogram.PercentileMs(90)),
                Report.Ms(histogram.PercentileMs(99)), Report.Ms(histogram.MaxMs), missing.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            BenchStack.Log($"{mode}: p50 {histogram.PercentileMs(50):F1} ms, p99 {histogram.PercentileMs(99):F1} ms, no command: {missing}");
            if (missing > 0)
            {
                BenchStack.Problem($"{mode}: {missing} of {group.Count} paid trades got no dispense command within 60 s");
            }
            breakdowns.Add((mode, await BreakdownAsync(stack, sent, first)));
        }

        report.Line($"### Payment → first dispense command (one trade per machine, payments at a fixed rate)");
        report.Line();
        report.Table(["from", "trades", "payments/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "no command within 60 s"], rows);
        foreach (var (mode, breakdown) in breakdowns)
        {
            report.Line($"Where the time goes, {mode} (from the trade's timeline and job rows; each step's p50 / p99 in ms):");
            report.Line();
            report.Table(["step", "p50 ms", "p99 ms"], breakdown);
        }
    }

    /// <summary>
    /// Splits each trade's latency at the points the database records: the payment applied (timeline), the confirm job
    /// written, the PUT status 1 call started (its timeline entry minus its duration), the dispense job written,
    /// the dispense job about to send (sent_at), and the simulator's issued_at_real.
    /// </summary>
    internal static async Task<List<string[]>> BreakdownAsync(BenchStack stack, IReadOnlyDictionary<string, DateTimeOffset> sent,
        IReadOnlyDictionary<string, DateTimeOffset> issued)
    {
        await using var connection = new Npgsql.NpgsqlConnection(stack.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("""
            SELECT t.trade_id,
              (SELECT min(e.at) FROM trade_events e WHERE e.trade_id = t.trade_id AND e.kind = 'payment'),
              (SELECT min(j.created_at) FROM jobs j WHERE j.trade_id = t.trade_id AND j.kind = 'confirm_paid'),
              (SELECT min(e.at - make_interval(secs => coalesce(e.duration_ms, 0) / 1000.0)) FROM trade_events e
                 WHERE e.trade_id = t.trade_id AND e.summary LIKE 'mark order paid%'),
              (SELECT min(e.at) FROM trade_events e WHERE e.trade_id = t.trade_id AND e.summary LIKE 'mark order paid%'),
              (SELECT min(j.created_at) FROM jobs j WHERE j.trade_id = t.trade_id AND j.kind = 'dispense_line'),
              (SELECT min(j.sent_at) FROM jobs j WHERE j.trade_id = t.trade_id AND j.kind = 'dispense_line')
            FROM trades t WHERE t.trade_id = ANY($1)
            """, connection);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = sent.Keys.ToArray() });
        string[] names =
        [
            "payment sent → payment applied (notify endpoint; pay path: + sandbox job and its HTTP hop)",
            "payment applied → confirm_paid job written (same transaction)",
            "confirm_paid job written → its PUT status 1 call starts (commit, NOTIFY, claim, load trade)",
            "PUT status 1 call (platform round trip)",
            "PUT answered → dispense job written (confirm transaction, dispatch transaction up to the insert)",
            "dispense job written → about to send (commit, NOTIFY, claim, load trade, mark sent)",
            "send → simulator issued_at_real (HTTP, signing, simulator)",
        ];
        var steps = names.Select(_ => new Histogram()).ToArray();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            if (Enumerable.Range(1, 6).Any(reader.IsDBNull) || !issued.TryGetValue(reader.GetString(0), out var at))
            {
                continue;
            }

            var points = new List<DateTimeOffset> { sent[reader.GetString(0)] };
            points.AddRange(Enumerable.Range(1, 6).Select(i => new DateTimeOffset(reader.GetDateTime(i), TimeSpan.Zero)));
            points.Add(at);
            for (var i = 0; i < steps.Length; i++)
            {
                steps[i].Record(points[i + 1] - points[i]);
            }
        }

        return [.. names.Select((n, i) => new[] { n, Report.Ms(steps[i].PercentileMs(50)), Report.Ms(steps[i].PercentileMs(99)) })];
    }

    /// <summary>Fires one payment every 1/rate seconds without waiting for answers; returns when each was sent.</summary>
    private static async Task<IReadOnlyDictionary<string, DateTimeOffset>> PayAtRateAsync(string baseUrl, List<BenchTrade> trades, double rate, bool notify)
    {
        var sent = new ConcurrentDictionary<string, DateTimeOffset>();
        using var client = BenchStack.Client(baseUrl, 64);
        var clock = Stopwatch.StartNew();
        var inFlight = new List<Task>();
        for (var i = 0; i < trades.Count; i++)
        {
            var due = TimeSpan.FromSeconds(i / rate);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            var trade = trades[i];
            inFlight.Add(Task.Run(async () =>
            {
                sent[trade.TradeId] = DateTimeOffset.UtcNow;
                var status = notify
                    ? await BenchStack.NotifyPaidAsync(client, trade, CancellationToken.None)
                    : await BenchStack.SandboxPayAsync(client, trade, CancellationToken.None);
                if (status >= 300)
                {
                    BenchStack.Log($"payment of {trade.TradeId}: HTTP {status}");
                }
            }));
        }

        await Task.WhenAll(inFlight);
        return sent;
    }
}
