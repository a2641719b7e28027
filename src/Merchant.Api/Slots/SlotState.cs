using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Merchant.Api.Slots;

/// <summary>What we know of one slot: the product it holds, its stock, and its health (DESIGN §2 rule 10).</summary>
public sealed class SlotState
{
    public required string MachineNo { get; init; }

    public required long ProductId { get; init; }

    /// <summary>The slot's label on the machine, e.g. <c>A11</c>; null until the platform's slot list was read.</summary>
    public string? Slot { get; init; }

    public string? Cabinet { get; init; }

    public string? ProductName { get; init; }

    public int? Stock { get; init; }

    public int? Capacity { get; init; }

    public DateTimeOffset? StockSeenAt { get; init; }

    public DateTimeOffset? LowStockSince { get; init; }

    /// <summary>The last state reported for the slot (CONTRACT §3.1a).</summary>
    public int? FloorStatus { get; init; }

    public string? FaultReason { get; init; }

    /// <summary>Set while the slot is in fault: it sells nothing until ops clear it.</summary>
    public DateTimeOffset? FaultSince { get; init; }

    /// <summary>Lines that failed on this slot while it was known to be in fault: the alerts ops should have acted on.</summary>
    public int FailuresWhileFaulted { get; init; }

    public DateTimeOffset? LastFailureAt { get; init; }

    public string? LastFailureReason { get; init; }

    public int? LastFailureFloorStatus { get; init; }

    public DateTimeOffset? ClearedAt { get; init; }

    public string? ClearedBy { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public bool InFault => FaultSince is not null;
}

internal sealed class SlotStateConfiguration : IEntityTypeConfiguration<SlotState>
{
    public void Configure(EntityTypeBuilder<SlotState> builder)
    {
        builder.ToTable("slot_states");
        builder.HasKey(s => new { s.MachineNo, s.ProductId });
        builder.Property(s => s.MachineNo);
        builder.Property(s => s.ProductId).ValueGeneratedNever();
        builder.Property(s => s.Slot);
        builder.Property(s => s.Cabinet);
        builder.Property(s => s.ProductName);
        builder.Property(s => s.Stock);
        builder.Property(s => s.Capacity);
        builder.Property(s => s.StockSeenAt);
        builder.Property(s => s.LowStockSince);
        builder.Property(s => s.FloorStatus);
        builder.Property(s => s.FaultReason);
        builder.Property(s => s.FaultSince);
        builder.Property(s => s.FailuresWhileFaulted);
        builder.Property(s => s.LastFailureAt);
        builder.Property(s => s.LastFailureReason);
        builder.Property(s => s.LastFailureFloorStatus);
        builder.Property(s => s.ClearedAt);
        builder.Property(s => s.ClearedBy);
        builder.Property(s => s.UpdatedAt);
        builder.Ignore(s => s.InFault);
    }
}

/// <summary>CONTRACT §3.1a/§4 floor_status values, as ops read them.</summary>
public static class FloorStatuses
{
    public const int Normal = 1;

    public static string Name(int? floorStatus) => floorStatus switch
    {
        null => "unknown",
        0 => "slot missing",
        1 => "normal",
        2 => "jammed",
        3 => "motor fault",
        47 => "serial timeout",
        _ => $"fault {floorStatus}",
    };

    public static bool IsFault(int? floorStatus) => floorStatus is { } status && status != Normal;
}
