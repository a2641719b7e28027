using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Merchant.Api.Fleet;

/// <summary>A machine as the platform last listed it.</summary>
public sealed class MachineState
{
    public required string MachineNo { get; init; }

    public required string Name { get; init; }

    public bool Online { get; init; }

    public bool Operating { get; init; }

    /// <summary>When we first saw it offline (the platform does not say since when).</summary>
    public DateTimeOffset? OfflineSince { get; init; }

    public DateTimeOffset SeenAt { get; init; }
}

/// <summary>A pickup code ops issued, kept only as ops need it: never the code, only a keyed hash and its last digits.</summary>
public sealed class PickupCodeRecord
{
    public const string Issued = "issued";
    public const string Cancelled = "cancelled";

    public required long PickupCodeId { get; init; }

    public required string MachineNo { get; init; }

    public required long ProductId { get; init; }

    public required string CodeHash { get; init; }

    public required string CodeHint { get; init; }

    public int CodeLength { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public required string Status { get; set; }

    /// <summary>The failed pickup this code replaces (DESIGN §2 rule 9); at most one code per trade.</summary>
    public string? ReplacesTradeId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? CancelledAt { get; set; }
}

internal sealed class MachineStateConfiguration : IEntityTypeConfiguration<MachineState>
{
    public void Configure(EntityTypeBuilder<MachineState> builder)
    {
        builder.ToTable("machine_states");
        builder.HasKey(m => m.MachineNo);
        builder.Property(m => m.MachineNo);
        builder.Property(m => m.Name);
        builder.Property(m => m.Online);
        builder.Property(m => m.Operating);
        builder.Property(m => m.OfflineSince);
        builder.Property(m => m.SeenAt);
    }
}

internal sealed class PickupCodeRecordConfiguration : IEntityTypeConfiguration<PickupCodeRecord>
{
    public void Configure(EntityTypeBuilder<PickupCodeRecord> builder)
    {
        builder.ToTable("pickup_codes");
        builder.HasKey(c => c.PickupCodeId);
        builder.Property(c => c.PickupCodeId).ValueGeneratedNever();
        builder.Property(c => c.MachineNo);
        builder.Property(c => c.ProductId);
        builder.Property(c => c.CodeHash);
        builder.Property(c => c.CodeHint);
        builder.Property(c => c.CodeLength);
        builder.Property(c => c.ExpiresAt);
        builder.Property(c => c.Status);
        builder.Property(c => c.ReplacesTradeId);
        builder.Property(c => c.CreatedAt);
        builder.Property(c => c.CancelledAt);
    }
}
