using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Merchant.Api.Jobs;

/// <summary>
/// Runs one claimed job in its own DI scope and records the outcome: done, retry with backoff until the deadline,
/// or give up and let the handler compensate. Used by <see cref="JobRunner"/> for what it claims, and by a handler
/// that created and claimed the next job of a chain in the same breath (payment confirmed → dispense), which saves
/// that job a commit-NOTIFY-claim hop through the queue.
/// </summary>
public sealed partial class JobExecutor(
    IServiceScopeFactory scopes,
    JobStore store,
    IEnumerable<JobHandlerRegistration> handlers,
    IOptions<JobsOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider clock,
    ILogger<JobExecutor> logger)
{
    private readonly Dictionary<string, Type> _handlerTypes = handlers.ToDictionary(h => h.Kind, h => h.HandlerType);

    /// <summary>Whether this instance runs jobs at all (<see cref="JobsOptions.Enabled"/>).</summary>
    public bool RunsJobs => options.Value.Enabled;

    /// <summary>
    /// Leases a job about to be written to this instance, with the same lease as a claim (a crash leaves it to a worker
    /// once the lease runs out), so the writer can run it at once after its commit.
    /// </summary>
    public Job Claim(Job job, DateTimeOffset now) => job.ClaimedBy(store.InstanceId, now, options.Value.Lease);

    /// <summary>
    /// Runs a job leased to this instance in the background, once its row is committed; the caller (an HTTP request)
    /// does not wait. On shutdown the lease runs out and a worker takes the job, as after a crash.
    /// </summary>
    public void Start(Job job) =>
        _ = Task.Run(() => RunAsync(job, lifetime.ApplicationStopping), CancellationToken.None);

    /// <summary>Runs a job this instance holds the lease of, and records what became of it.</summary>
    public async Task RunAsync(Job job, CancellationToken stoppingToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object?>
        {
            ["JobId"] = job.JobId,
            ["JobKind"] = job.Kind,
            ["TradeId"] = job.TradeId,
            ["LineId"] = job.LineId,
        });
        var started = Stopwatch.GetTimestamp();
        using var activity = Telemetry.MerchantTelemetry.Activities.StartActivity($"job {job.Kind}");
        activity?.SetTag("merchant.job_id", job.JobId);
        activity?.SetTag("merchant.trade_id", job.TradeId);
        JobOutcome outcome;
        await using var services = scopes.CreateAsyncScope();
        var context = new JobContext(job, store);
        IJobHandler? handler = null;
        try
        {
            if (!_handlerTypes.TryGetValue(job.Kind, out var type))
            {
                throw new InvalidOperationException($"No handler for job kind '{job.Kind}'.");
            }

            handler = (IJobHandler)services.ServiceProvider.GetRequiredService(type);
            outcome = await handler.HandleAsync(context, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the lease runs out and another worker (or this one, restarted) takes it.
            return;
        }
        catch (Exception e)
        {
            outcome = JobOutcome.Retry($"{e.GetType().Name}: {e.Message}");
            LogHandlerFailed(logger, job.JobId, job.Kind, e);
        }

        try
        {
            await RecordAsync(job, context, handler, outcome, stoppingToken);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            LogRan(logger, job.JobId, job.Kind, outcome.Kind, job.Attempts, elapsed);
            Telemetry.MerchantTelemetry.Jobs.Record(elapsed, Telemetry.MerchantTelemetry.Tag("kind", job.Kind),
                Telemetry.MerchantTelemetry.Tag("outcome", outcome.Kind.ToString()));
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // The outcome is lost with the lease; the job runs again and its handler sees the state it left.
            LogRecordFailed(logger, job.JobId, e);
        }
    }

    private async Task RecordAsync(Job job, JobContext context, IJobHandler? handler, JobOutcome outcome, CancellationToken cancellationToken)
    {
        if (outcome.Kind == JobOutcomeKind.Done)
        {
            await store.CompleteAsync(job.JobId, cancellationToken);
            return;
        }

        var error = outcome.Error ?? "unknown error";
        var now = clock.GetUtcNow();
        if (outcome.Kind == JobOutcomeKind.Retry)
        {
            var runAt = now + (outcome.RetryAfter ?? Backoff(job.Attempts));
            if (runAt <= job.Deadline)
            {
                await store.RetryAsync(job.JobId, runAt, error, outcome.ClearSent, cancellationToken);
                return;
            }
        }

        LogGaveUp(logger, job.JobId, job.Kind, error);
        if (handler is not null)
        {
            await handler.OnDeadlineAsync(context, error, cancellationToken);
        }

        await store.FailAsync(job.JobId, error, cancellationToken);
    }

    /// <summary>Exponential backoff with jitter: 0.5 s, 1 s, 2 s, … capped at a minute.</summary>
    internal static TimeSpan Backoff(int attempts)
    {
        var seconds = Math.Min(60, 0.5 * Math.Pow(2, Math.Max(0, attempts - 1)));
        return TimeSpan.FromSeconds(seconds * (0.8 + (Random.Shared.NextDouble() * 0.4)));
    }

    [LoggerMessage(1, LogLevel.Debug, "Job {JobId} ({Kind}) → {Outcome} after attempt {Attempt} in {ElapsedMs:0.0} ms")]
    private static partial void LogRan(ILogger logger, long jobId, string kind, JobOutcomeKind outcome, int attempt, double elapsedMs);

    [LoggerMessage(2, LogLevel.Warning, "Job {JobId} ({Kind}) threw")]
    private static partial void LogHandlerFailed(ILogger logger, long jobId, string kind, Exception exception);

    [LoggerMessage(3, LogLevel.Warning, "Job {JobId} ({Kind}) gave up: {Error}")]
    private static partial void LogGaveUp(ILogger logger, long jobId, string kind, string error);

    [LoggerMessage(6, LogLevel.Warning, "Could not record the outcome of job {JobId}; it will run again")]
    private static partial void LogRecordFailed(ILogger logger, long jobId, Exception exception);
}
