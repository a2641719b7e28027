using Merchant.Api.Persistence;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Merchant.Api.Health;

/// <summary>Ready means the database answers and every migration is applied.</summary>
public sealed class DatabaseReadyCheck(MigrationRunner migrations) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await migrations.IsUpToDateAsync(cancellationToken)
                ? HealthCheckResult.Healthy("database reachable, migrations applied")
                : HealthCheckResult.Unhealthy("migrations not applied");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("database unreachable", e is Npgsql.NpgsqlException ? null : e);
        }
    }
}

/// <summary>Applies migrations once at start-up, before the job runner takes work.</summary>
public sealed class MigrateOnStart(MigrationRunner migrations) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => migrations.ApplyAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
