using Npgsql;

namespace Merchant.Api.Jobs;

/// <summary>The SQL of the job table: claiming with SKIP LOCKED and a lease, and recording outcomes.</summary>
public sealed class JobStore(NpgsqlDataSource dataSource, TimeProvider clock)
{
    public string InstanceId { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";

    public async Task<IReadOnlyList<Job>> ClaimAsync(int max, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var command = dataSource.CreateCommand("""
            UPDATE jobs SET lease_until = $1, locked_by = $2, attempts = attempts + 1, updated_at = $3
            WHERE job_id IN (
                SELECT job_id FROM jobs
                WHERE status = 'pending' AND run_at <= $3 AND (lease_until IS NULL OR lease_until < $3)
                ORDER BY run_at
                LIMIT $4
                FOR UPDATE SKIP LOCKED)
            RETURNING job_id, kind, trade_id, line_id, payload, attempts, deadline, sent_at, created_at, run_at
            """);
        command.Parameters.Add(new() { Value = now + lease });
        command.Parameters.Add(new() { Value = InstanceId });
        command.Parameters.Add(new() { Value = now });
        command.Parameters.Add(new() { Value = max });
        var jobs = new List<Job>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add(new Job
            {
                JobId = reader.GetInt64(0),
                Kind = reader.GetString(1),
                TradeId = reader.IsDBNull(2) ? null : reader.GetString(2),
                LineId = reader.IsDBNull(3) ? null : reader.GetInt32(3),
                Payload = reader.IsDBNull(4) ? null : reader.GetString(4),
                Status = Job.Pending,
                Attempts = reader.GetInt32(5),
                Deadline = reader.GetFieldValue<DateTimeOffset>(6),
                SentAt = reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7),
                CreatedAt = reader.GetFieldValue<DateTimeOffset>(8),
                RunAt = reader.GetFieldValue<DateTimeOffset>(9),
                LockedBy = InstanceId,
            });
        }

        return jobs;
    }

    /// <summary>When the next pending job is due, so an idle worker sleeps exactly that long.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        // Two index scans of one row each (ix_jobs_due, ix_jobs_leased). A claimed job's run_at is already past, so
        // its lease's end is when it could next be taken; min(greatest(…)) over all pending rows read every one of them.
        await using var command = dataSource.CreateCommand("""
            SELECT least(
                (SELECT run_at FROM jobs WHERE status = 'pending' AND lease_until IS NULL ORDER BY run_at LIMIT 1),
                (SELECT lease_until FROM jobs WHERE status = 'pending' AND lease_until IS NOT NULL ORDER BY lease_until LIMIT 1))
            """);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is DateTime utc ? new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)) : null;
    }

    public Task CompleteAsync(long jobId, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE jobs SET status = 'done', lease_until = NULL, updated_at = $2 WHERE job_id = $1 AND locked_by = $3",
            cancellationToken, jobId, clock.GetUtcNow(), InstanceId);

    public Task RetryAsync(long jobId, DateTimeOffset runAt, string error, bool clearSent, CancellationToken cancellationToken) =>
        ExecuteAsync("""
            UPDATE jobs SET run_at = $2, lease_until = NULL, last_error = $3, updated_at = $4,
                sent_at = CASE WHEN $5 THEN NULL ELSE sent_at END
            WHERE job_id = $1 AND locked_by = $6
            """, cancellationToken, jobId, runAt, Truncate(error), clock.GetUtcNow(), clearSent, InstanceId);

    public Task FailAsync(long jobId, string error, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE jobs SET status = 'failed', lease_until = NULL, last_error = $2, updated_at = $3 WHERE job_id = $1 AND locked_by = $4",
            cancellationToken, jobId, Truncate(error), clock.GetUtcNow(), InstanceId);

    public Task MarkSentAsync(long jobId, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE jobs SET sent_at = $2 WHERE job_id = $1", cancellationToken, jobId, clock.GetUtcNow());

    /// <summary>Puts a job that gave up back in the queue (ops retry), with a fresh deadline.</summary>
    public async Task<bool> RequeueAsync(long jobId, TimeSpan deadlineAfter, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var command = dataSource.CreateCommand("""
            UPDATE jobs SET status = 'pending', run_at = $2, deadline = $3, lease_until = NULL, locked_by = NULL, updated_at = $2
            WHERE job_id = $1 AND status = 'failed'
            """);
        command.Parameters.Add(new() { Value = jobId });
        command.Parameters.Add(new() { Value = now });
        command.Parameters.Add(new() { Value = now + deadlineAfter });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private static string Truncate(string error) => error.Length <= 2000 ? error : error[..2000];

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new() { Value = value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
