using Merchant.Api.Idempotency;
using Merchant.Api.Jobs;
using Merchant.Api.Payments;
using Merchant.Api.Trades;
using Merchant.Domain;
using Npgsql;
using NpgsqlTypes;

namespace Merchant.Api.Checkouts;

/// <summary>
/// The two writes of a checkout, each one round trip: every row of the step in one <see cref="NpgsqlBatch"/>, which
/// PostgreSQL runs as one implicit transaction (all or nothing). A checkout creates rows nobody else can see yet, so it
/// needs neither a row lock nor change tracking, and EF's SaveChanges (change detection, command building) was half the
/// CPU of a checkout (bench/README.md). Everything else keeps writing through the DbContext.
/// </summary>
public sealed class CheckoutWriter(NpgsqlDataSource dataSource)
{
    /// <summary>Before the platform call: the trade, its lines, its timeline so far and its claimed create-order job.</summary>
    public async Task InsertAsync(Trade trade, Job job, IReadOnlyList<TradeEvent> events, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        Add(batch, """
            INSERT INTO trades (trade_id, kind, machine_no, status, amount_fen, currency, platform_order_id, customer_ref,
                pickup_code, status_reason, created_at, order_created_at, pay_before, paid_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
            """, trade.TradeId, trade.Kind.ToWire(), trade.MachineNo, trade.Status.ToWire(), trade.AmountFen, trade.Currency,
            trade.PlatformOrderId, trade.CustomerRef, trade.PickupCode, trade.StatusReason, trade.CreatedAt, trade.OrderCreatedAt,
            trade.PayBefore, trade.PaidAt, trade.UpdatedAt);
        AddLines(batch, trade);
        AddJob(batch, job);
        AddEvents(batch, events);
        await ExecuteAsync(batch, [job], cancellationToken);
    }

    /// <summary>
    /// After it: the trade as it now stands (lines carrying the platform's records), its payment, jobs and timeline.
    /// <paramref name="insertedLines"/> is how many lines <see cref="InsertAsync"/> wrote; <paramref name="idempotencyCompletion"/>,
    /// when given, completes the request's Idempotency-Key with its answer in the same batch
    /// (<see cref="IdempotencyClaim.CompletionParameters"/>).
    /// </summary>
    public async Task UpdateAsync(Trade trade, int insertedLines, IReadOnlyList<TradeEvent> events, IReadOnlyList<Job> newJobs,
        long? doneJobId, Payment? payment, CancellationToken cancellationToken, object[]? idempotencyCompletion = null)
    {
        await using var batch = dataSource.CreateBatch();
        Add(batch, """
            UPDATE trades SET status = $2, amount_fen = $3, platform_order_id = $4, status_reason = $5, order_created_at = $6,
                pay_before = $7, paid_at = $8, updated_at = $9
            WHERE trade_id = $1
            """, trade.TradeId, trade.Status.ToWire(), trade.AmountFen, trade.PlatformOrderId, trade.StatusReason,
            trade.OrderCreatedAt, trade.PayBefore, trade.PaidAt, trade.UpdatedAt);
        if (trade.Lines.Count == insertedLines)
        {
            // One record per line, as asked (lines are numbered 1..n both times): update them in place.
            foreach (var line in trade.Lines)
            {
                Add(batch, """
                    UPDATE trade_lines SET product_id = $3, name = $4, price_fen = $5, quantity = $6, platform_record_id = $7,
                        status = $8, failure_reason = $9, settled_at = $10
                    WHERE trade_id = $1 AND line_id = $2
                    """, line.TradeId, line.LineId, line.ProductId, line.Name, line.PriceFen, line.Quantity, line.PlatformRecordId,
                    line.Status.ToWire(), line.FailureReason, line.SettledAt);
            }
        }
        else
        {
            // The platform merged what we asked for into fewer records (DESIGN §2): the lines are rewritten whole.
            Add(batch, "DELETE FROM trade_lines WHERE trade_id = $1", trade.TradeId);
            AddLines(batch, trade);
        }
        if (payment is not null)
        {
            Add(batch, """
                INSERT INTO payments (trade_id, provider, provider_payment_id, status, amount_fen, method, action, created_at, paid_at, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10)
                """, payment.TradeId, payment.Provider, payment.ProviderPaymentId, payment.Status, payment.AmountFen, payment.Method,
                payment.Action, payment.CreatedAt, payment.PaidAt, payment.UpdatedAt);
        }

        if (doneJobId is { } jobId)
        {
            Add(batch, "UPDATE jobs SET status = 'done', lease_until = NULL, updated_at = $2 WHERE job_id = $1", jobId, trade.UpdatedAt);
        }

        foreach (var job in newJobs)
        {
            AddJob(batch, job);
        }

        AddEvents(batch, events);
        if (idempotencyCompletion is not null)
        {
            Add(batch, IdempotencyClaim.CompletionSql, idempotencyCompletion);
        }

        await ExecuteAsync(batch, newJobs, cancellationToken);
    }

    private static void AddLines(NpgsqlBatch batch, Trade trade)
    {
        foreach (var line in trade.Lines)
        {
            Add(batch, """
                INSERT INTO trade_lines (trade_id, line_id, machine_no, product_id, name, price_fen, quantity, platform_record_id,
                    status, failure_reason, delivery_id, dispatched_at, settled_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                """, line.TradeId, line.LineId, line.MachineNo, line.ProductId, line.Name, line.PriceFen, line.Quantity,
                line.PlatformRecordId, line.Status.ToWire(), line.FailureReason, line.DeliveryId, line.DispatchedAt, line.SettledAt);
        }
    }

    private static void AddJob(NpgsqlBatch batch, Job job) =>
        Add(batch, """
            INSERT INTO jobs (kind, trade_id, line_id, payload, dedupe_key, status, run_at, deadline, attempts, lease_until,
                locked_by, last_error, sent_at, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
            RETURNING job_id
            """, job.Kind, job.TradeId, job.LineId, job.Payload, job.DedupeKey, job.Status, job.RunAt, job.Deadline, job.Attempts,
            job.LeaseUntil, job.LockedBy, job.LastError, job.SentAt, job.CreatedAt, job.UpdatedAt);

    private static void AddEvents(NpgsqlBatch batch, IReadOnlyList<TradeEvent> events)
    {
        foreach (var e in events)
        {
            Add(batch, """
                INSERT INTO trade_events (trade_id, at, kind, actor, line_id, summary, outcome, duration_ms)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                """, e.TradeId, e.At, e.Kind, e.Actor, e.LineId, e.Summary, e.Outcome, e.DurationMs);
        }
    }

    private static void Add(NpgsqlBatch batch, string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(value switch
            {
                null => new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Unknown },
                _ => new NpgsqlParameter { Value = value },
            });
        }

        batch.BatchCommands.Add(command);
    }

    /// <summary>Runs the batch and gives each inserted job its id (jobs are the only rows that return one).</summary>
    private static async Task ExecuteAsync(NpgsqlBatch batch, IReadOnlyList<Job> jobs, CancellationToken cancellationToken)
    {
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var next = 0;
        do
        {
            if (reader.FieldCount == 1 && await reader.ReadAsync(cancellationToken))
            {
                jobs[next++].JobId = reader.GetInt64(0);
            }
        }
        while (await reader.NextResultAsync(cancellationToken));
    }
}
