using Merchant.Api.Dispensing;
using Merchant.Api.Idempotency;
using Merchant.Api.PlatformNotify;
using Npgsql;

namespace Merchant.Api.Jobs;

/// <summary>
/// The safety net of each instance, every few seconds: callbacks stored but not applied, machines with
/// waiting lines and nothing dispensing (a crash between two steps), expired idempotency keys; and the fleet's
/// state (machines and slots, every Fleet:RefreshInterval) and alert gauges.
/// </summary>
public sealed partial class Maintenance(IServiceScopeFactory scopes, NpgsqlDataSource dataSource, TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<JobsOptions> options, Microsoft.Extensions.Options.IOptions<Fleet.FleetOptions> fleetOptions,
    ILogger<Maintenance> logger) : BackgroundService
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
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Maintenance sweep failed; trying again shortly")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
