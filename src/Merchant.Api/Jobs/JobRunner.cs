using Merchant.Api.Hosting;
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

internal sealed class JobsOptionsValidator : IValidateOptions<JobsOptions>
{
    public ValidateOptionsResult Validate(string? name, JobsOptions options)
    {
        List<string> failures = [];
        failures.AtLeast("Jobs:Concurrency", options.Concurrency, 1);
        failures.Between("Jobs:Lease", options.Lease, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        failures.Between("Jobs:IdlePoll", options.IdlePoll, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1));
        return failures.ToResult();
    }
}

/// <summary>
/// The durable job runner of one instance: claims due jobs with FOR UPDATE SKIP LOCKED and a lease,
/// runs them with bounded concurrency, retries with backoff until the deadline, then lets the handler
/// compensate. LISTEN/NOTIFY wakes it the moment a job is committed anywhere.
/// </summary>
public sealed partial class JobRunner(
    JobExecutor executor,
    JobStore store,
    NpgsqlDataSource dataSource,
    IOptions<JobsOptions> options,
    TimeProvider clock,
    ILogger<JobRunner> logger) : BackgroundService
{
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
                            await executor.RunAsync(job, stoppingToken);
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

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                try
                {
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
                finally
                {
                    // The pool does not reset connections (MerchantDataSource): this one must not go back still listening.
                    NpgsqlConnection.ClearPool(connection);
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

    [LoggerMessage(4, LogLevel.Warning, "Job loop failed; retrying")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(5, LogLevel.Warning, "LISTEN connection lost; reconnecting")]
    private static partial void LogListenFailed(ILogger logger, Exception exception);
}
