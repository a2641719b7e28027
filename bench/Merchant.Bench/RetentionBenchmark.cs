using System.Diagnostics;
using Npgsql;

namespace Merchant.Bench;

/// <summary>
/// Storage per settled trade with and without retention (issue 17): history older than every window (events 180 days,
/// callbacks and jobs 30 days, the API.md defaults) is seeded into a fresh database, measured, then the API's own
/// <c>retention</c> job is made due until it has nothing left to delete, and the tables are measured again — as they are
/// (the space is free inside them, reused by new rows) and compacted (VACUUM FULL: what they hold). The money records
/// (trades, lines, payments, refunds, provider notifications) are counted before and after: retention must not touch them.
/// </summary>
public static class RetentionBenchmark
{
    public static async Task RunAsync(Args args, Report report)
    {
        var settings = BenchSettings.From(args);
        var smoke = settings.Smoke;
        var trades = args.Int("trades", smoke ? 20_000 : 200_000);
        var endsDaysAgo = args.Int("ends-days-ago", 200);

        // Its own database even in a smoke run: it measures every table, and the retention job walks each table from its
        // oldest id, trusting ids to grow with time — history seeded older than rows already there would stall it (the
        // smoke's shared stack holds the ops benchmark's newer history under lower ids).
        await using var stack = await BenchStack.StartAsync("retention", settings, own: true);
        await stack.StartApisAsync(1, settings);
        var empty = await TablesBytesAsync(stack.ConnectionString);
        var took = await HistorySeeder.SeedAsync(stack.ConnectionString, trades, 50, 90, BenchStack.Log, endsAgo: TimeSpan.FromDays(endsDaysAgo));
        BenchStack.Log($"retention: seeded {trades:N0} trades ending {endsDaysAgo} days ago in {took.TotalSeconds:F1} s");
        var money = await MoneyRecordsAsync(stack.ConnectionString);
        var before = await TablesBytesAsync(stack.ConnectionString) - empty;

        var clock = Stopwatch.StartNew();
        var runs = 0;
        long left;
        while ((left = await LeftAsync(stack.ConnectionString)) > 0 && clock.Elapsed < TimeSpan.FromMinutes(smoke ? 2 : 20))
        {
            runs++;
            await DueNowAsync(stack.ConnectionString);
            if (!await BenchStack.WaitUntilAsync(async () => !await RetentionPendingAsync(stack.ConnectionString), TimeSpan.FromMinutes(3), TimeSpan.FromMilliseconds(250)))
            {
                break;
            }
        }

        var deleting = clock.Elapsed;
        if (left > 0)
        {
            BenchStack.Problem($"retention: {left:N0} rows past their window remain after {runs} runs ({deleting.TotalSeconds:F0} s)");
        }

        var after = await TablesBytesAsync(stack.ConnectionString) - empty;
        await using (var connection = new NpgsqlConnection(stack.ConnectionString))
        {
            await connection.OpenAsync();
            await using var vacuum = new NpgsqlCommand("VACUUM FULL trade_events, platform_callbacks, jobs; ANALYZE", connection) { CommandTimeout = 0 };
            await vacuum.ExecuteNonQueryAsync();
        }

        var compacted = await TablesBytesAsync(stack.ConnectionString) - empty;
        var moneyAfter = await MoneyRecordsAsync(stack.ConnectionString);
        if (moneyAfter != money)
        {
            BenchStack.Problem($"retention: money records changed from {money} to {moneyAfter}");
        }

        report.Line($"### Storage per settled trade, {trades:N0} trades settled {endsDaysAgo}–{endsDaysAgo + 90} days ago (all tables and their indexes, above an empty database)");
        report.Line();
        report.Table(["state", "MB", "bytes per trade"],
        [
            ["without retention (as seeded)", Report.N(before / 1048576.0), Report.N(before / (double)trades)],
            [$"after the retention job ({runs} runs, {deleting.TotalSeconds:F0} s; the space is free inside the tables, reused by new rows)", Report.N(after / 1048576.0), Report.N(after / (double)trades)],
            ["after retention, compacted (VACUUM FULL: what the tables hold)", Report.N(compacted / 1048576.0), Report.N(compacted / (double)trades)],
        ]);
        report.Line($"Money records before and after (trades, lines, payments, refunds, provider notifications): {money} → {moneyAfter}.");
        report.Line("Target (issue 17): with default retention, storage per settled trade older than the windows ≤ 1.5 KB.");
        report.Line();
    }

    private static Task<long> TablesBytesAsync(string connectionString) => ScalarAsync<long>(connectionString, """
        SELECT sum(pg_total_relation_size(c.oid))::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r'
        """);

    private static Task<string> MoneyRecordsAsync(string connectionString) => ScalarAsync<string>(connectionString, """
        SELECT concat_ws(' / ', (SELECT count(*) FROM trades), (SELECT count(*) FROM trade_lines), (SELECT count(*) FROM payments),
            (SELECT count(*) FROM refunds), (SELECT count(*) FROM payment_notifications))
        """);

    // Rows of settled trades past the API.md default windows (every seeded trade is settled).
    private static Task<long> LeftAsync(string connectionString) => ScalarAsync<long>(connectionString, """
        SELECT (SELECT count(*) FROM trade_events WHERE at < now() - interval '180 days')
             + (SELECT count(*) FROM platform_callbacks WHERE received_at < now() - interval '30 days')
             + (SELECT count(*) FROM jobs WHERE status IN ('done', 'failed') AND updated_at < now() - interval '30 days' AND trade_id IS NOT NULL)
        """);

    // The maintenance sweep keeps one pending retention job due an interval ahead; this makes it due now.
    private static Task<int> DueNowAsync(string connectionString) => ScalarAsync<int>(connectionString, """
        INSERT INTO jobs (kind, dedupe_key, status, run_at, deadline, attempts, created_at, updated_at)
        VALUES ('retention', 'maintenance:retention', 'pending', now(), now() + interval '1 hour', 0, now(), now())
        ON CONFLICT (dedupe_key) WHERE status = 'pending' AND dedupe_key IS NOT NULL DO UPDATE SET run_at = now()
        RETURNING 1
        """);

    private static Task<bool> RetentionPendingAsync(string connectionString) => ScalarAsync<bool>(connectionString,
        "SELECT EXISTS (SELECT 1 FROM jobs WHERE kind = 'retention' AND status = 'pending' AND run_at <= now())");

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
