using Merchant.Api.Errors;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Merchant.Api.Payments.Sandbox;

/// <summary>
/// The sandbox provider's fault switch (docs/decisions/0018): scripted refund failures, stored in <c>sandbox_faults</c>
/// so every instance sees them. Honoured only in Development and Testing while the sandbox takes the payments; anywhere
/// else the switch does not exist (404) and the provider never reads the table, so production cannot turn it on.
/// </summary>
public sealed class SandboxFaults(NpgsqlDataSource dataSource, IHostEnvironment environment, IOptions<PaymentsOptions> payments, TimeProvider clock)
{
    public const string Refund = "refund";

    /// <summary>
    /// <c>error</c>: no answer, nothing taken (the provider is down); <c>fail</c>: refused for good, nothing taken (as WeChat's
    /// NOT_ENOUGH); <c>hang</c>: taken, then no answer within <c>delay_ms</c>; <c>late</c>: taken, confirmed after <c>delay_ms</c>.
    /// </summary>
    public static readonly IReadOnlyList<string> RefundModes = ["error", "fail", "hang", "late"];

    public bool Allowed =>
        (environment.IsDevelopment() || environment.IsEnvironment("Testing"))
        && string.Equals(payments.Value.Provider, SandboxProvider.ProviderName, StringComparison.OrdinalIgnoreCase);

    /// <summary>Takes the first fault that applies to this call (counting it down); null when none does or faults are off.</summary>
    public async Task<SandboxFault?> TakeAsync(string operation, string tradeId, CancellationToken cancellationToken)
    {
        if (!Allowed)
        {
            return null;
        }

        await using var command = dataSource.CreateCommand("""
            UPDATE sandbox_faults SET remaining = remaining - 1
            WHERE fault_id = (SELECT fault_id FROM sandbox_faults
                              WHERE operation = $1 AND (trade_id IS NULL OR trade_id = $2) AND (remaining IS NULL OR remaining > 0)
                              ORDER BY fault_id LIMIT 1 FOR UPDATE)
            RETURNING fault_id, operation, mode, trade_id, remaining, delay_ms
            """);
        command.Parameters.Add(new() { Value = operation });
        command.Parameters.Add(new() { Value = tradeId });
        return (await ReadAsync(command, cancellationToken)).FirstOrDefault();
    }

    public async Task<SandboxFault> AddAsync(SandboxFaultRequest request, CancellationToken cancellationToken)
    {
        EnsureAllowed();
        if (request.Operation != Refund || request.Mode is not { } mode || !RefundModes.Contains(mode))
        {
            throw ApiProblem.Validation($"operation must be \"{Refund}\" and mode one of: {string.Join(", ", RefundModes)}.");
        }

        if (request.Count is < 1 || request.DelayMs is < 0 or > 600_000)
        {
            throw ApiProblem.Validation("count must be at least 1 (absent: until cleared) and delay_ms between 0 and 600000.");
        }

        await using var command = dataSource.CreateCommand("""
            INSERT INTO sandbox_faults (operation, mode, trade_id, remaining, delay_ms, created_at)
            VALUES ($1, $2, $3, $4, $5, $6)
            RETURNING fault_id, operation, mode, trade_id, remaining, delay_ms
            """);
        command.Parameters.Add(new() { Value = request.Operation });
        command.Parameters.Add(new() { Value = mode });
        command.Parameters.Add(new() { Value = (object?)request.TradeId ?? DBNull.Value });
        command.Parameters.Add(new() { Value = (object?)request.Count ?? DBNull.Value });
        command.Parameters.Add(new() { Value = (object?)request.DelayMs ?? DBNull.Value });
        command.Parameters.Add(new() { Value = clock.GetUtcNow() });
        return (await ReadAsync(command, cancellationToken)).Single();
    }

    public async Task<IReadOnlyList<SandboxFault>> ListAsync(CancellationToken cancellationToken)
    {
        EnsureAllowed();
        await using var command = dataSource.CreateCommand("""
            SELECT fault_id, operation, mode, trade_id, remaining, delay_ms FROM sandbox_faults
            WHERE remaining IS NULL OR remaining > 0 ORDER BY fault_id
            """);
        return await ReadAsync(command, cancellationToken);
    }

    public async Task ClearAsync(CancellationToken cancellationToken)
    {
        EnsureAllowed();
        await using var command = dataSource.CreateCommand("DELETE FROM sandbox_faults");
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private void EnsureAllowed()
    {
        if (!Allowed)
        {
            throw ApiProblem.NotFound("The sandbox fault switch");
        }
    }

    private static async Task<List<SandboxFault>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var faults = new List<SandboxFault>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            faults.Add(new SandboxFault(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetInt32(4), reader.IsDBNull(5) ? null : reader.GetInt32(5)));
        }

        return faults;
    }
}

/// <summary>A scripted fault: <see cref="Remaining"/> null applies to every matching call until cleared.</summary>
public sealed record SandboxFault(long FaultId, string Operation, string Mode, string? TradeId, int? Remaining, int? DelayMs)
{
    public TimeSpan Delay(TimeSpan fallback) => DelayMs is { } ms ? TimeSpan.FromMilliseconds(ms) : fallback;
}

/// <summary>Scripts a fault for the next <c>count</c> refunds (of one trade when <c>trade_id</c> is given).</summary>
public sealed record SandboxFaultRequest(string? Operation, string? Mode, string? TradeId, int? Count, int? DelayMs);

/// <summary>A row of <c>sandbox_faults</c>, mapped so the model and the schema agree; taken and counted down in SQL above.</summary>
public sealed class SandboxFaultRecord
{
    public long FaultId { get; init; }

    public required string Operation { get; init; }

    public required string Mode { get; init; }

    public string? TradeId { get; init; }

    public int? Remaining { get; set; }

    public int? DelayMs { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

internal sealed class SandboxFaultRecordConfiguration : IEntityTypeConfiguration<SandboxFaultRecord>
{
    public void Configure(EntityTypeBuilder<SandboxFaultRecord> builder)
    {
        builder.ToTable("sandbox_faults");
        builder.HasKey(f => f.FaultId);
        builder.Property(f => f.FaultId).UseIdentityByDefaultColumn();
        builder.Property(f => f.Operation);
        builder.Property(f => f.Mode);
        builder.Property(f => f.TradeId);
        builder.Property(f => f.Remaining);
        builder.Property(f => f.DelayMs);
        builder.Property(f => f.CreatedAt);
    }
}
