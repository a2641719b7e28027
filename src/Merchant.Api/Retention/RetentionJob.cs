using System.Diagnostics;
using Merchant.Api.Hosting;
using Merchant.Api.Jobs;
using Merchant.Domain;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Merchant.Api.Retention;

/// <summary>How long the history of settled trades is kept (API.md <c>Retention:*</c>); money records are kept forever.</summary>
public sealed class RetentionOptions
{
    /// <summary>Timeline events (trade_events) of settled trades.</summary>
    public TimeSpan Events { get; set; } = TimeSpan.FromDays(180);

    /// <summary>Raw platform callbacks (platform_callbacks) of settled trades, once applied.</summary>
    public TimeSpan Callbacks { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Finished jobs (done or failed) of settled trades, and finished maintenance jobs.</summary>
    public TimeSpan Jobs { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often the retention job runs.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Rows read per statement; each batch is its own short transaction, so no lock is held for long.</summary>
    public int BatchSize { get; set; } = 1000;
}

internal sealed class RetentionOptionsValidator : IValidateOptions<RetentionOptions>
{
    public ValidateOptionsResult Validate(string? name, RetentionOptions options)
    {
        List<string> failures = [];
        failures.Between("Retention:Events", options.Events, TimeSpan.FromHours(1), TimeSpan.FromDays(36500));
        failures.Between("Retention:Callbacks", options.Callbacks, TimeSpan.FromHours(1), TimeSpan.FromDays(36500));
        failures.Between("Retention:Jobs", options.Jobs, TimeSpan.FromHours(1), TimeSpan.FromDays(36500));
        failures.Between("Retention:Interval", options.Interval, TimeSpan.FromMinutes(1), TimeSpan.FromDays(7));
        failures.AtLeast("Retention:BatchSize", options.BatchSize, 10);
        return failures.ToResult();
    }
}

/// <summary>What one run of the retention job deleted.</summary>
public sealed record RetentionRun(long Events, long Callbacks, long Jobs, bool Finished);

/// <summary>
/// The <c>retention</c> job (decision 0023): deletes, oldest first and a batch per statement, the timeline events, applied
/// platform callbacks and finished jobs of settled trades older than their window. Never trades, lines, payments, refunds
/// or payment notifications. Each table is walked by its primary key from the oldest row, so a batch is one index range.
/// </summary>
public sealed partial class RetentionJob(NpgsqlDataSource dataSource, TimeProvider clock, IOptions<RetentionOptions> options,
    IOptions<JobsOptions> jobs, ILogger<RetentionJob> logger) : IJobHandler
{
    // A trade is settled when its status is final and nothing about it is still moving: no line waiting, dispensing,
    // needing a person or awaiting a refund, and no pending job. Its events are its only account until then.
    private static readonly string Settled = $"""
        t.status IN ({string.Join(", ", Enum.GetValues<TradeStatus>().Where(s => s.IsTerminal()).Select(s => $"'{s.ToWire()}'"))})
        AND t.updated_at < $3
        AND NOT EXISTS (SELECT 1 FROM trade_lines l WHERE l.trade_id = t.trade_id AND l.status IN ('pending', 'dispensing', 'needs_attention', 'refunding'))
        AND NOT EXISTS (SELECT 1 FROM jobs pj WHERE pj.trade_id = t.trade_id AND pj.status = 'pending')
        """;

    private static readonly string EventsBatch = $"""
        WITH batch AS (SELECT event_id, trade_id, at FROM trade_events WHERE event_id > $1 ORDER BY event_id LIMIT $2),
        doomed AS (SELECT b.event_id FROM batch b JOIN trades t ON t.trade_id = b.trade_id WHERE b.at < $3 AND {Settled}),
        gone AS (DELETE FROM trade_events e USING doomed d WHERE e.event_id = d.event_id RETURNING 1)
        SELECT (SELECT max(event_id) FROM batch), (SELECT min(at) < $3 FROM batch), (SELECT count(*) FROM gone)
        """;

    private static readonly string CallbacksBatch = $"""
        WITH batch AS (SELECT callback_id, trade_id, received_at, processed_at FROM platform_callbacks WHERE callback_id > $1 ORDER BY callback_id LIMIT $2),
        doomed AS (SELECT b.callback_id FROM batch b JOIN trades t ON t.trade_id = b.trade_id
            WHERE b.received_at < $3 AND b.processed_at IS NOT NULL AND {Settled}),
        gone AS (DELETE FROM platform_callbacks c USING doomed d WHERE c.callback_id = d.callback_id AND c.processed_at IS NOT NULL RETURNING 1)
        SELECT (SELECT max(callback_id) FROM batch), (SELECT min(received_at) < $3 FROM batch), (SELECT count(*) FROM gone)
        """;

    // Jobs finish out of id order (a retry runs later), so the walk goes on while a batch holds any old row.
    private static readonly string JobsBatch = $"""
        WITH batch AS (SELECT job_id, trade_id, kind, status, created_at, updated_at FROM jobs WHERE job_id > $1 ORDER BY job_id LIMIT $2),
        doomed AS (
            SELECT b.job_id FROM batch b JOIN trades t ON t.trade_id = b.trade_id
            WHERE b.status IN ('done', 'failed') AND b.updated_at < $3 AND {Settled}
            UNION ALL
            SELECT b.job_id FROM batch b
            WHERE b.trade_id IS NULL AND b.kind IN ('{JobKinds.Retention}', '{JobKinds.ReconcileCounters}') AND b.status = 'done' AND b.updated_at < $3),
        gone AS (DELETE FROM jobs j USING doomed d WHERE j.job_id = d.job_id AND j.status IN ('done', 'failed') RETURNING 1)
        SELECT (SELECT max(job_id) FROM batch), (SELECT min(created_at) < $3 FROM batch), (SELECT count(*) FROM gone)
        """;

    public async Task<JobOutcome> HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        await RunAsync(cancellationToken);
        return JobOutcome.Done;
    }

    public Task OnDeadlineAsync(JobContext job, string lastError, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>One pass over the three tables, within half the job lease (the next run carries on where this stopped).</summary>
    public async Task<RetentionRun> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var budget = Stopwatch.StartNew();
        var limit = jobs.Value.Lease / 2;
        var settings = options.Value;
        var (events, eventsDone) = await SweepAsync(EventsBatch, now - settings.Events, budget, limit, cancellationToken);
        var (callbacks, callbacksDone) = await SweepAsync(CallbacksBatch, now - settings.Callbacks, budget, limit, cancellationToken);
        var (finished, jobsDone) = await SweepAsync(JobsBatch, now - settings.Jobs, budget, limit, cancellationToken);
        var run = new RetentionRun(events, callbacks, finished, eventsDone && callbacksDone && jobsDone);
        LogRun(logger, run.Events, run.Callbacks, run.Jobs, run.Finished);
        return run;
    }

    private async Task<(long Deleted, bool Finished)> SweepAsync(string sql, DateTimeOffset cutoff, Stopwatch budget, TimeSpan limit,
        CancellationToken cancellationToken)
    {
        long after = 0, deleted = 0;
        while (budget.Elapsed < limit)
        {
            await using var command = dataSource.CreateCommand(sql);
            command.Parameters.Add(new() { Value = after });
            command.Parameters.Add(new() { Value = options.Value.BatchSize });
            command.Parameters.Add(new() { Value = cutoff });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            if (reader.IsDBNull(0))
            {
                return (deleted, true);
            }

            after = reader.GetInt64(0);
            deleted += reader.GetInt64(2);
            if (reader.IsDBNull(1) || !reader.GetBoolean(1))
            {
                // The whole batch is inside the window: so is everything after it.
                return (deleted, true);
            }
        }

        return (deleted, false);
    }

    [LoggerMessage(1, LogLevel.Information, "Retention deleted {Events} events, {Callbacks} callbacks and {Jobs} jobs of settled trades (finished: {Finished})")]
    private static partial void LogRun(ILogger logger, long events, long callbacks, long jobs, bool finished);
}
