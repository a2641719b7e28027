using System.Data;
using Merchant.Api.Jobs;
using Npgsql;

namespace Merchant.Api.Ops;

/// <summary>What a recount found: counter rows that disagreed with the rows they count (and were corrected).</summary>
public sealed record CounterCheck(int TradeCountsFixed, int DailyCountsFixed, int MoneyFixed)
{
    public bool Agreed => TradeCountsFixed == 0 && DailyCountsFixed == 0 && MoneyFixed == 0;
}

/// <summary>
/// Recounts trades and money and proves the counters of migration 0006 equal them, correcting any that drift
/// (decision 0023). The recount and the counters are read in one snapshot, where the triggers make them agree by
/// construction; a difference is added, not assigned, in a later transaction, so changes committed meanwhile keep theirs.
/// </summary>
public sealed partial class CounterReconciler(NpgsqlDataSource dataSource, ILogger<CounterReconciler> logger)
{
    private const string TradeDiff = """
        SELECT coalesce(jsonb_agg(jsonb_build_object('machine_no', machine_no, 'status', status, 'd', d)), '[]'::jsonb)
        FROM (
            SELECT coalesce(r.machine_no, c.machine_no) AS machine_no, coalesce(r.status, c.status) AS status,
                coalesce(r.n, 0) - coalesce(c.count, 0) AS d
            FROM (SELECT machine_no, status, count(*) AS n FROM trades GROUP BY 1, 2) r
            FULL JOIN trade_counts c ON c.machine_no = r.machine_no AND c.status = r.status) x
        WHERE d <> 0
        """;

    private const string DailyDiff = """
        SELECT coalesce(jsonb_agg(jsonb_build_object('day', day, 'machine_no', machine_no, 'status', status, 'd', d)), '[]'::jsonb)
        FROM (
            SELECT coalesce(r.day, c.day) AS day, coalesce(r.machine_no, c.machine_no) AS machine_no, coalesce(r.status, c.status) AS status,
                coalesce(r.n, 0) - coalesce(c.count, 0) AS d
            FROM (SELECT (created_at AT TIME ZONE 'UTC')::date AS day, machine_no, status, count(*) AS n FROM trades GROUP BY 1, 2, 3) r
            FULL JOIN trade_counts_daily c ON c.day = r.day AND c.machine_no = r.machine_no AND c.status = r.status) x
        WHERE d <> 0
        """;

    private const string MoneyDiff = """
        SELECT coalesce(jsonb_agg(jsonb_build_object('day', day, 'provider', provider, 'kind', kind, 'shard', shard, 'fen', d)), '[]'::jsonb)
        FROM (
            SELECT coalesce(r.day, c.day) AS day, coalesce(r.provider, c.provider) AS provider, coalesce(r.kind, c.kind) AS kind,
                coalesce(r.shard, c.shard) AS shard, coalesce(r.fen, 0) - coalesce(c.fen, 0) AS d
            FROM (
                SELECT (paid_at AT TIME ZONE 'UTC')::date AS day, provider, 'paid' AS kind, (hashtext(trade_id) & 7)::smallint AS shard,
                    sum(coalesce(paid_fen, amount_fen)) AS fen
                FROM payments WHERE status = 'succeeded' AND paid_at IS NOT NULL GROUP BY 1, 2, 3, 4
                UNION ALL
                SELECT (r.completed_at AT TIME ZONE 'UTC')::date, p.provider, 'refunded', (hashtext(r.trade_id) & 7)::smallint, sum(r.amount_fen)
                FROM refunds r JOIN payments p USING (trade_id) WHERE r.status = 'succeeded' AND r.completed_at IS NOT NULL GROUP BY 1, 2, 3, 4) r
            FULL JOIN money_daily c ON c.day = r.day AND c.provider = r.provider AND c.kind = r.kind AND c.shard = r.shard) x
        WHERE d <> 0
        """;

    public async Task<CounterCheck> ReconcileAsync(CancellationToken cancellationToken)
    {
        string trades, daily, money;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var snapshot = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken))
        {
            trades = await ScalarAsync(connection, snapshot, TradeDiff, cancellationToken);
            daily = await ScalarAsync(connection, snapshot, DailyDiff, cancellationToken);
            money = await ScalarAsync(connection, snapshot, MoneyDiff, cancellationToken);
            await snapshot.CommitAsync(cancellationToken);
        }

        var check = new CounterCheck(Count(trades), Count(daily), Count(money));
        if (check.Agreed)
        {
            LogAgreed(logger);
            return check;
        }

        LogFixing(logger, check.TradeCountsFixed, check.DailyCountsFixed, check.MoneyFixed);
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var fix = await connection.BeginTransactionAsync(cancellationToken))
        {
            await using var batch = new NpgsqlBatch(connection, fix)
            {
                BatchCommands =
                {
                    Json("""
                        INSERT INTO trade_counts AS c (machine_no, status, count)
                            SELECT machine_no, status, d FROM jsonb_to_recordset($1) AS x(machine_no text, status text, d bigint) ORDER BY 1, 2
                        ON CONFLICT (machine_no, status) DO UPDATE SET count = c.count + EXCLUDED.count
                        """, trades),
                    Json("""
                        INSERT INTO trade_counts_daily AS c (day, machine_no, status, count)
                            SELECT day, machine_no, status, d FROM jsonb_to_recordset($1) AS x(day date, machine_no text, status text, d bigint)
                            ORDER BY 1, 2, 3
                        ON CONFLICT (day, machine_no, status) DO UPDATE SET count = c.count + EXCLUDED.count
                        """, daily),
                    Json("SELECT apply_money_delta($1)", money),
                },
            };
            await batch.ExecuteNonQueryAsync(cancellationToken);
            await fix.CommitAsync(cancellationToken);
        }

        return check;
    }

    private static async Task<string> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static NpgsqlBatchCommand Json(string sql, string json) =>
        new(sql) { Parameters = { new() { Value = json, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Jsonb } } };

    private static int Count(string jsonArray)
    {
        using var document = System.Text.Json.JsonDocument.Parse(jsonArray);
        return document.RootElement.GetArrayLength();
    }

    [LoggerMessage(1, LogLevel.Information, "Counters recounted: they equal the rows")]
    private static partial void LogAgreed(ILogger logger);

    [LoggerMessage(2, LogLevel.Warning, "Counters recounted: {Trades} trade, {Daily} daily and {Money} money counter rows differed from the rows; corrected")]
    private static partial void LogFixing(ILogger logger, int trades, int daily, int money);
}

/// <summary>The <c>reconcile_counters</c> job: a recount that proves (or corrects) the summary's counters, once a day.</summary>
public sealed class ReconcileCountersHandler(CounterReconciler reconciler) : IJobHandler
{
    public static readonly TimeSpan Every = TimeSpan.FromDays(1);

    public async Task<JobOutcome> HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        await reconciler.ReconcileAsync(cancellationToken);
        return JobOutcome.Done;
    }

    public Task OnDeadlineAsync(JobContext job, string lastError, CancellationToken cancellationToken) => Task.CompletedTask;
}
