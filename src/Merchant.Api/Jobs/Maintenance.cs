using Merchant.Api.Dispensing;
using Merchant.Api.Idempotency;
using Merchant.Api.PlatformNotify;
using Npgsql;

namespace Merchant.Api.Jobs;

/// <summary>
/// The safety net of each instance, every few seconds: callbacks stored but not applied, machines with
/// waiting lines and nothing dispensing (a crash between two steps), expired idempotency keys; and the fleet's
/// state (machines and slots, every Fleet:RefreshInterval) and alert gauges; and it keeps the retention and
/// counter-recount jobs scheduled.
/// </summary>
public sealed partial class Maintenance(IServiceScopeFactory scopes, NpgsqlDataSource dataSource, TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<JobsOptions> options, Microsoft.Extensions.Options.IOptions<Fleet.FleetOptions> fleetOptions,
    Microsoft.Extensions.Options.IOptions<Retention.RetentionOptions> retention, ILogger<Maintenance> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);
    private DateTimeOffset _fleetRefreshedAt = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        var ticks = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, clock, stoppingToken);
                await SweepAsync(ticks++ % 100 == 0, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogSweepFailed(logger, e);
            }
        }
    }

    public async Task SweepAsync(bool prune, CancellationToken cancellationToken)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            var callbacks = scope.ServiceProvider.GetRequiredService<CallbackService>();
            foreach (var id in await callbacks.UnprocessedAsync(TimeSpan.FromSeconds(5), cancellationToken))
            {
                await callbacks.ApplyAsync(id, cancellationToken);
            }
        }

        await using (var scope = scopes.CreateAsyncScope())
        {
            // Provider notifications stored by a request that died before applying them.
            await scope.ServiceProvider.GetRequiredService<Payments.PaymentService>().ApplyUnappliedAsync(TimeSpan.FromSeconds(5), cancellationToken);
        }

        await using (var scope = scopes.CreateAsyncScope())
        {
            var dispatcher = scope.ServiceProvider.GetRequiredService<Dispatcher>();
            foreach (var machine in await dispatcher.IdleMachinesAsync(cancellationToken))
            {
                await dispatcher.DispatchAsync(machine, cancellationToken);
            }
        }

        await using (var queue = dataSource.CreateCommand(
            "SELECT count(*), coalesce(extract(epoch FROM $1 - min(run_at)), 0) FROM jobs WHERE status = 'pending' AND run_at <= $1"))
        {
            queue.Parameters.Add(new() { Value = clock.GetUtcNow() });
            await using var reader = await queue.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                Telemetry.MerchantTelemetry.SetQueue(reader.GetInt64(0), Convert.ToDouble(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        await using (var scope = scopes.CreateAsyncScope())
        {
            // Machines and slots re-read now and then, so offline machines and low stock are alerts even when nobody looks.
            if (clock.GetUtcNow() - _fleetRefreshedAt >= fleetOptions.Value.RefreshInterval)
            {
                _fleetRefreshedAt = clock.GetUtcNow();
                await scope.ServiceProvider.GetRequiredService<Fleet.FleetService>().RefreshAsync(null, cancellationToken);
            }

            var alerts = await scope.ServiceProvider.GetRequiredService<Fleet.AlertService>().CountsAsync(cancellationToken);
            Telemetry.MerchantTelemetry.SetAlerts(Fleet.AlertService.ByKind(alerts));
        }

        if (prune)
        {
            await using var command = dataSource.CreateCommand("DELETE FROM idempotency_keys WHERE created_at < $1");
            command.Parameters.Add(new() { Value = clock.GetUtcNow() - IdempotencyService.Retention });
            await command.ExecuteNonQueryAsync(cancellationToken);
            await ScheduleAsync(JobKinds.Retention, retention.Value.Interval, cancellationToken);
            await ScheduleAsync(JobKinds.ReconcileCounters, Ops.ReconcileCountersHandler.Every, cancellationToken);
        }
    }

    /// <summary>
    /// Keeps one pending row of a maintenance job, due <paramref name="every"/> after now: the job table makes it durable
    /// and run once across instances (the pending dedupe index), and the next one is written after it finished.
    /// </summary>
    private async Task ScheduleAsync(string kind, TimeSpan every, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var job = JobQueue.New(kind, now, TimeSpan.FromHours(1), runAt: now + every, dedupeKey: $"maintenance:{kind}");
        await using var command = dataSource.CreateCommand("""
            INSERT INTO jobs (kind, dedupe_key, status, run_at, deadline, attempts, created_at, updated_at)
            VALUES ($1, $2, 'pending', $3, $4, 0, $5, $5)
            ON CONFLICT (dedupe_key) WHERE status = 'pending' AND dedupe_key IS NOT NULL DO NOTHING
            """);
        command.Parameters.Add(new() { Value = job.Kind });
        command.Parameters.Add(new() { Value = job.DedupeKey });
        command.Parameters.Add(new() { Value = job.RunAt });
        command.Parameters.Add(new() { Value = job.Deadline });
        command.Parameters.Add(new() { Value = now });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(1, LogLevel.Warning, "Maintenance sweep failed; trying again shortly")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
