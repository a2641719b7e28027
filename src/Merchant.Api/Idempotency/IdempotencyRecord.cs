using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Merchant.Api.Idempotency;

/// <summary>A stored answer to an Idempotency-Key, scoped per API key.</summary>
public sealed class IdempotencyRecord
{
    public const string InFlight = "in_flight";
    public const string Completed = "completed";

    public required string Scope { get; init; }

    public required string Key { get; init; }

    public required string RequestHash { get; init; }

    public required string Status { get; set; }

    public string? TradeId { get; set; }

    public int? ResponseStatus { get; set; }

    public string? ResponseBody { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset LockedUntil { get; set; }
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> builder)
    {
        builder.ToTable("idempotency_keys");
        builder.HasKey(r => new { r.Scope, r.Key });
        builder.Property(r => r.Scope);
        builder.Property(r => r.Key);
        builder.Property(r => r.RequestHash);
        builder.Property(r => r.Status);
        builder.Property(r => r.TradeId);
        builder.Property(r => r.ResponseStatus);
        builder.Property(r => r.ResponseBody);
        builder.Property(r => r.CreatedAt);
        builder.Property(r => r.LockedUntil);
    }
}
