using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Merchant.Api.Jobs;

public sealed class JobsOptions
{
    /// <summary>Jobs one instance runs at once.</summary>
    public int Concurrency { get; set; } = 16;

    /// <summary>How long a claim holds a job; longer than any handler runs, so no two instances run one job.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest an idle worker sleeps without a NOTIFY (a safety net, not the wake-up path).</summary>
    public TimeSpan IdlePoll { get; set; } = TimeSpan.FromSeconds(2);

    public bool Enabled { get; set; } = true;
}

/// <summary>
/// The durable job runner of one instance: claims due jobs with FOR UPDATE SKIP LOCKED and a lease,
/// runs them with bounded concurrency, retries with backoff until the deadline, then lets the handler
/// compensate. LISTEN/NOTIFY wakes it the moment a job is committed anywhere.
/// </summary>
public sealed partial class JobRunner(
    IServiceScopeFactory scopes,
    JobStore store,
    NpgsqlDataSource dataSource,
    IEnumerable<JobHandlerRegistration> handlers,
    IOptions<JobsOptions> options,
    TimeProvider clock,
    ILogger<JobRunner> logger) : BackgroundService
{
    private readonly Dictionary<string, Type> _handlerTypes = handlers.ToDictionary(h => h.Kind, h => h.HandlerType);
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private readonly JobsOptions _options = options.Value;
    private int _running;

    /// <summary>Asks the loop to look for work now (after this process committed a job).</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        _ = Task.Run(() => ListenAsync(stoppingToken), stoppingToken);
        var slots = new SemaphoreSlim(_options.Concurrency, _options.Concurrency);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var free = _options.Concurrency - Volatile.Read(ref _running);
                IReadOnlyList<Job> claimed = free > 0 ? await store.ClaimAsync(free, _options.Lease, stoppingToken) : [];
                foreach (var job in claimed)
                {
                    await slots.WaitAsync(stoppingToken);
                    Interlocked.Increment(ref _running);
                    _ = Task.Run(async () =>
                    {
                        try
                        {
                            await RunAsync(job, stoppingToken);
                        }
                        finally
                        {
                            Interlocked.Decrement(ref _running);
                            slots.Release();
                            Wake();
                        }
                    }, CancellationToken.None);
                }

                if (claimed.Count > 0 && claimed.Count == free)
                {
                    continue;
                }

                var next = await store.NextDueAsync(stoppingToken);
                var sleep = _options.IdlePoll;
                if (next is { } due)
                {
                    var untilDue = due - clock.GetUtcNow();
                    sleep = untilDue < TimeSpan.Zero ? TimeSpan.FromMilliseconds(50) : untilDue < sleep ? untilDue : sleep;
                }

                await _wake.WaitAsync(sleep, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // The database may be restarting: keep the loop alive and try again shortly.
                LogLoopFailed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task RunAsync(Job job, CancellationToken stoppingToken)
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

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, _) => Wake();
                await using (var listen = new NpgsqlCommand("LISTEN merchant_jobs", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                // Work committed while we were not listening would otherwise wait for the idle poll.
                Wake();
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogListenFailed(logger, e);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(1, LogLevel.Debug, "Job {JobId} ({Kind}) → {Outcome} after attempt {Attempt} in {ElapsedMs:0.0} ms")]
    private static partial void LogRan(ILogger logger, long jobId, string kind, JobOutcomeKind outcome, int attempt, double elapsedMs);

    [LoggerMessage(2, LogLevel.Warning, "Job {JobId} ({Kind}) threw")]
    private static partial void LogHandlerFailed(ILogger logger, long jobId, string kind, Exception exception);

    [LoggerMessage(3, LogLevel.Warning, "Job {JobId} ({Kind}) gave up: {Error}")]
    private static partial void LogGaveUp(ILogger logger, long jobId, string kind, string error);

    [LoggerMessage(4, LogLevel.Warning, "Job loop failed; retrying")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(5, LogLevel.Warning, "LISTEN connection lost; reconnecting")]
    private static partial void LogListenFailed(ILogger logger, Exception exception);

    [LoggerMessage(6, LogLevel.Warning, "Could not record the outcome of job {JobId}; it will run again")]
    private static partial void LogRecordFailed(ILogger logger, long jobId, Exception exception);
}
