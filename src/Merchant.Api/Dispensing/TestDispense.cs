using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Merchant.Api.Dispensing;

/// <summary>
/// An ops test dispense of one slot (CONTRACT §3.7 <c>/deliveries/debug</c>): a machine command like a line's, so it waits
/// its turn in the dispatcher and never runs beside a dispensing line (decision 0019).
/// </summary>
public sealed class TestDispense
{
    public const string Queued = "queued";
    public const string Dispensing = "dispensing";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    /// <summary>No trustworthy result (no callback, nothing to ask): the machine is released, the slot left as it was.</summary>
    public const string Unknown = "unknown";

    // Trade ids are all digits, so a subject starting with a letter can never be a trade's.
    private const string SubjectPrefix = "td";

    public long TestDispenseId { get; set; }

    public required string MachineNo { get; init; }

    public required string Slot { get; init; }

    public required long ProductId { get; init; }

    public required string Status { get; set; }

    public DateTimeOffset RequestedAt { get; init; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public long? PlatformOrderId { get; set; }

    public long? PlatformRecordId { get; set; }

    public string? DeliveryId { get; set; }

    public int? FloorStatus { get; set; }

    public string? FailReason { get; set; }

    /// <summary>This test dispense ended a fault of its slot.</summary>
    public bool ClearedFault { get; set; }

    public bool IsFinished => Status is Succeeded or Failed or Unknown;

    /// <summary>What the notify token of this test dispense speaks for (where a trade's token names the trade).</summary>
    public static string SubjectOf(long testDispenseId) => SubjectPrefix + testDispenseId.ToString(CultureInfo.InvariantCulture);

    /// <summary>The test dispense a notify token's subject names, or null when the subject is a trade.</summary>
    public static long? FromSubject(string subject) =>
        subject.StartsWith(SubjectPrefix, StringComparison.Ordinal)
        && long.TryParse(subject.AsSpan(SubjectPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : null;
}

internal sealed class TestDispenseConfiguration : IEntityTypeConfiguration<TestDispense>
{
    public void Configure(EntityTypeBuilder<TestDispense> builder)
    {
        builder.ToTable("test_dispenses");
        builder.HasKey(t => t.TestDispenseId);
        builder.Property(t => t.TestDispenseId).UseIdentityByDefaultColumn();
        builder.Property(t => t.MachineNo);
        builder.Property(t => t.Slot);
        builder.Property(t => t.ProductId);
        builder.Property(t => t.Status);
        builder.Property(t => t.RequestedAt);
        builder.Property(t => t.StartedAt);
        builder.Property(t => t.FinishedAt);
        builder.Property(t => t.PlatformOrderId);
        builder.Property(t => t.PlatformRecordId);
        builder.Property(t => t.DeliveryId);
        builder.Property(t => t.FloorStatus);
        builder.Property(t => t.FailReason);
        builder.Property(t => t.ClearedFault);
        builder.Ignore(t => t.IsFinished);
    }
}
