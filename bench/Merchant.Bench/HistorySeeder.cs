using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Merchant.Bench;

/// <summary>
/// Loads history into a migrated Merchant database with set-based SQL: trades spread over the last <c>days</c> days
/// (ending an hour ago), with the rows the service writes for them — lines, payments, refunds, the provider's
/// notifications, timeline events, done jobs and raw platform callbacks. The mix per 1,000 trades: 850 completed,
/// 30 partially refunded, 20 refunded, 60 expired, 30 cancelled, 5 rejected, 5 pickups; 1–3 lines each.
/// Counters stay right through migration 0006's statement triggers. Trade ids come from trade_id_seq, so seeding twice,
/// or beside live traffic, never collides.
/// </summary>
public static class HistorySeeder
{
    // A chunk is written in two transactions. The first writes the money records, whose statement triggers keep the
    // counters (migration 0006) and so hold the counter rows locked until it commits; the second writes the history
    // around them (notifications, events, callbacks, jobs), which no trigger counts, so it overlaps the next chunk's
    // first part on the other connection. The plan tables live on the connection between the two.
    private const string MoneyPart = """
        DROP TABLE IF EXISTS seed_plan, seed_lines;
        CREATE TEMP TABLE seed_plan AS
        SELECT i, seq, trade_id, created_at, machine_no, b, lines,
            CASE WHEN b < 850 THEN 'completed' WHEN b < 880 THEN 'partially_refunded' WHEN b < 900 THEN 'refunded'
                 WHEN b < 960 THEN 'expired' WHEN b < 990 THEN 'cancelled' WHEN b < 995 THEN 'rejected' ELSE 'completed' END AS status,
            CASE WHEN b >= 995 THEN 'pickup' ELSE 'purchase' END AS kind,
            (b < 900) AS paid
        FROM (
            SELECT i, seq, created_at, machine_no, b, CASE WHEN b BETWEEN 850 AND 879 THEN 2 + (i % 2) ELSE 1 + ((i * 31) % 3) END::int AS lines,
                to_char(created_at AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISS') || lpad((seq % 1000000000000)::text, 12, '0') AS trade_id
            FROM (
                SELECT i, nextval('trade_id_seq') AS seq,
                    '@end@'::timestamptz - ((@total@ - i)::float8 * @span@ / @total@) * interval '1 second' AS created_at,
                    (10000000 + (i * 2654435761) % @machines@)::text AS machine_no,
                    (i * 48271) % 1000 AS b
                FROM generate_series(@from@::bigint, @to@::bigint - 1) AS i) g) p;

        CREATE TEMP TABLE seed_lines AS
        SELECT p.*, l AS line_id, (100 + ((p.i + l) % 5) * 50)::bigint AS price_fen,
            CASE WHEN p.status IN ('expired', 'cancelled', 'rejected') THEN 'cancelled'
                 WHEN p.status = 'refunded' OR (p.status = 'partially_refunded' AND l = 1) THEN 'refunded'
                 ELSE 'dispensed' END AS line_status
        FROM seed_plan p, generate_series(1, p.lines) AS l;

        INSERT INTO trades (trade_id, kind, machine_no, status, amount_fen, currency, platform_order_id, status_reason,
            created_at, order_created_at, pay_before, paid_at, updated_at)
        SELECT p.trade_id, p.kind, p.machine_no, p.status, CASE WHEN p.kind = 'pickup' THEN 0 ELSE s.amount END, 'CNY',
            500000000000000 + p.seq, CASE p.status WHEN 'expired' THEN 'payment window closed' WHEN 'rejected' THEN 'machine offline' END,
            p.created_at, p.created_at + interval '60 ms', p.created_at + interval '18 minutes',
            CASE WHEN p.paid AND p.kind = 'purchase' THEN p.created_at + interval '20 s' END,
            p.created_at + CASE WHEN p.paid THEN interval '75 s' ELSE interval '18 minutes' END
        FROM seed_plan p JOIN (SELECT trade_id, sum(price_fen) AS amount FROM seed_lines GROUP BY trade_id) s USING (trade_id)
        ORDER BY p.created_at;

        INSERT INTO trade_lines (trade_id, line_id, machine_no, product_id, name, price_fen, quantity, platform_record_id, status,
            failure_reason, delivery_id, dispatched_at, settled_at)
        SELECT trade_id, line_id, machine_no, 100 + (i + line_id) % 5, 'Product ' || (1 + (i + line_id) % 5), price_fen, 1,
            CASE WHEN paid THEN seq * 10 + line_id END, line_status,
            CASE WHEN line_status = 'refunded' THEN 'Goods are Stuck' END,
            CASE WHEN paid THEN 'd' || seq || '-' || line_id END,
            CASE WHEN paid THEN created_at + interval '22 s' + line_id * interval '15 s' END,
            created_at + CASE WHEN paid THEN interval '30 s' + line_id * interval '15 s' ELSE interval '18 minutes' END
        FROM seed_lines;

        INSERT INTO payments (trade_id, provider, provider_payment_id, status, amount_fen, created_at, paid_at, updated_at, method,
            transaction_id, paid_fen)
        SELECT trade_id, 'sandbox', 'seed' || seq, CASE WHEN paid THEN 'succeeded' ELSE 'closed' END, t.amount_fen,
            p.created_at + interval '50 ms', CASE WHEN paid THEN p.created_at + interval '20 s' END, p.created_at + interval '20 s', 'native',
            CASE WHEN paid THEN '42' || lpad(seq::text, 26, '0') END, CASE WHEN paid THEN t.amount_fen END
        FROM seed_plan p JOIN trades t USING (trade_id) WHERE p.kind = 'purchase' AND p.status <> 'rejected';

        INSERT INTO refunds (refund_key, trade_id, line_id, amount_fen, reason, status, provider_refund_id, created_at, completed_at, requested_at)
        SELECT trade_id || '-' || line_id, trade_id, line_id, price_fen, 'dispense failed', 'succeeded', 'r' || seq || '-' || line_id,
            created_at + interval '2 minutes', created_at + interval '3 minutes', created_at + interval '2 minutes'
        FROM seed_lines WHERE line_status = 'refunded';

        """;

    private const string HistoryPart = """
        INSERT INTO payment_notifications (provider, event_id, trade_id, raw, body, received_at, applied_at)
        SELECT 'sandbox', 'seed-' || seq, trade_id,
            '{"trade_id":"' || trade_id || '","status":"succeeded","amount_fen":' || t.amount_fen || '}',
            jsonb_build_object('trade_id', trade_id, 'status', 'succeeded', 'amount_fen', t.amount_fen),
            p.created_at + interval '20 s', p.created_at + interval '20 s'
        FROM seed_plan p JOIN trades t USING (trade_id) WHERE p.paid AND p.kind = 'purchase';

        INSERT INTO trade_events (trade_id, at, kind, actor, line_id, summary, outcome, duration_ms)
        SELECT p.trade_id, p.created_at + e.after, e.kind, e.actor, NULL, e.summary, e.outcome, e.ms
        FROM seed_plan p, LATERAL (VALUES
            (interval '0', 'transition', 'storefront', 'created → awaiting_payment', NULL, NULL::int),
            (interval '60 ms', 'platform_call', 'storefront', 'create order', 'ok', 45),
            (interval '70 ms', 'payment_call', 'storefront', 'create payment (sandbox, native)', 'ok', 12),
            (interval '20 s', CASE WHEN p.paid THEN 'payment' ELSE 'transition' END, CASE WHEN p.paid THEN 'provider' ELSE 'worker' END,
                CASE WHEN p.paid THEN 'paid ' || p.trade_id ELSE 'awaiting_payment → ' || p.status END, NULL, NULL),
            (interval '21 s', CASE WHEN p.paid THEN 'transition' END, 'worker', 'paid → dispensing', NULL, NULL),
            (interval '75 s', CASE WHEN p.paid THEN 'transition' END, 'worker', 'dispensing → ' || p.status, NULL, NULL)) AS e(after, kind, actor, summary, outcome, ms)
        WHERE e.kind IS NOT NULL
        UNION ALL
        SELECT trade_id, created_at + interval '22 s' + line_id * interval '15 s', 'platform_call', 'worker', line_id, 'dispense line ' || line_id, 'ok', 60
        FROM seed_lines WHERE paid
        UNION ALL
        SELECT trade_id, created_at + interval '30 s' + line_id * interval '15 s', 'callback', 'platform', line_id,
            'line ' || line_id || ' ' || CASE WHEN line_status = 'dispensed' THEN 'IS_SUCCESS' ELSE 'IS_FAILED' END, line_status, NULL
        FROM seed_lines WHERE paid;

        INSERT INTO platform_callbacks (trade_id, received_at, body, processed_at, outcome)
        SELECT trade_id, created_at + interval '30 s' + line_id * interval '15 s',
            '{"trade_id":"' || trade_id || '","record_id":' || (seq * 10 + line_id) || ',"status":"'
                || CASE WHEN line_status = 'dispensed' THEN 'IS_SUCCESS' ELSE 'IS_FAILED' END || '","machine_no":"' || machine_no || '"}',
            created_at + interval '30 s' + line_id * interval '15 s', 'applied'
        FROM seed_lines WHERE paid;

        INSERT INTO jobs (kind, trade_id, line_id, status, run_at, deadline, attempts, created_at, updated_at, sent_at)
        SELECT j.kind, p.trade_id, NULL, 'done', p.created_at + j.after, p.created_at + j.after + interval '1 hour', 1,
            p.created_at + j.after, p.created_at + j.after + interval '1 s', p.created_at + j.after
        FROM seed_plan p, LATERAL (VALUES
            ('create_order', interval '0'),
            (CASE WHEN p.paid THEN 'confirm_paid' ELSE 'expire_trade' END, interval '20 s')) AS j(kind, after)
        UNION ALL
        SELECT 'dispense_line', trade_id, line_id, 'done', created_at + interval '22 s' + line_id * interval '15 s',
            created_at + interval '1 hour', 1, created_at + interval '21 s', created_at + interval '23 s' + line_id * interval '15 s',
            created_at + interval '22 s' + line_id * interval '15 s'
        FROM seed_lines WHERE paid;

        DROP TABLE seed_plan, seed_lines;
        """;

    /// <summary>
    /// Seeds <paramref name="trades"/> trades in chunks of 100,000 on <paramref name="workers"/> connections (each chunk two
    /// transactions: money records, then their history), the newest <paramref name="endsAgo"/> ago (an hour by default);
    /// returns the time it took.
    /// </summary>
    public static async Task<TimeSpan> SeedAsync(string connectionString, long trades, int machines, int days, Action<string>? progress = null,
        int workers = 2, TimeSpan? endsAgo = null)
    {
        var clock = Stopwatch.StartNew();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var end = DateTimeOffset.UtcNow - (endsAgo ?? TimeSpan.FromHours(1));
        const long ChunkSize = 100_000;
        var chunks = (trades + ChunkSize - 1) / ChunkSize;
        long next = -1, done = 0;
        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, workers)).Select(async _ =>
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            for (var chunk = Interlocked.Increment(ref next); chunk < chunks; chunk = Interlocked.Increment(ref next))
            {
                var start = chunk * ChunkSize;
                var text = Fill(start, Math.Min(trades, start + ChunkSize), trades, machines, days, end);
                var money = Stopwatch.StartNew();
                await RunAsync(connection, text(MoneyPart));
                var moneyTook = money.Elapsed;
                var history = Stopwatch.StartNew();
                await RunAsync(connection, text(HistoryPart));
                var seeded = Interlocked.Add(ref done, Math.Min(trades, start + ChunkSize) - start);
                progress?.Invoke($"seeded {seeded:N0} of {trades:N0} trades in {clock.Elapsed.TotalSeconds:F1} s "
                    + $"(chunk {chunk + 1}: money records {moneyTook.TotalSeconds:F1} s, history {history.Elapsed.TotalSeconds:F1} s)");
            }
        }));

        await using (var analyze = dataSource.CreateCommand("ANALYZE"))
        {
            analyze.CommandTimeout = 0;
            await analyze.ExecuteNonQueryAsync();
        }

        return clock.Elapsed;
    }

    private static async Task RunAsync(NpgsqlConnection connection, string sql)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand(sql, connection, transaction))
        {
            command.CommandTimeout = 0;
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    // Only numbers and a timestamp go into the text: CREATE TABLE AS takes no bind parameters.
    private static Func<string, string> Fill(long from, long to, long total, int machines, int days, DateTimeOffset end) => part =>
        part.Replace("@from@", from.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@to@", to.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@total@", total.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@machines@", machines.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@span@", (days * 86400L).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@end@", end.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff+00", CultureInfo.InvariantCulture), StringComparison.Ordinal);
}
