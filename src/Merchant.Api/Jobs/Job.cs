using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Merchant.Api.Jobs;

/// <summary>A unit of durable work: one outside call, retried with backoff until its deadline.</summary>
public sealed class Job
{
    public const string Pending = "pending";
    public const string Done = "done";
    public const string Failed = "failed";

    public long JobId { get; set; }

    public required string Kind { get; init; }

    public string? TradeId { get; init; }

    public int? LineId { get; init; }

    public string? Payload { get; init; }

    /// <summary>At most one pending job per key (e.g. one expiry per trade), held by a partial unique index.</summary>
    public string? DedupeKey { get; init; }

    public required string Status { get; set; }

    public DateTimeOffset RunAt { get; set; }

    public DateTimeOffset Deadline { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset? LeaseUntil { get; set; }

    public string? LockedBy { get; set; }

    public string? LastError { get; set; }

    /// <summary>When an unrepeatable outside call of this job was about to be made.</summary>
    public DateTimeOffset? SentAt { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class JobConfiguration : IEntityTypeConfiguration<Job>
{
    public void Configure(EntityTypeBuilder<Job> builder)
    {
        builder.ToTable("jobs");
        builder.HasKey(j => j.JobId);
        builder.Property(j => j.JobId).UseIdentityByDefaultColumn();
        builder.Property(j => j.Kind);
        builder.Property(j => j.TradeId);
        builder.Property(j => j.LineId);
        builder.Property(j => j.Payload);
        builder.Property(j => j.DedupeKey);
        builder.Property(j => j.Status);
        builder.Property(j => j.RunAt);
        builder.Property(j => j.Deadline);
        builder.Property(j => j.Attempts);
        builder.Property(j => j.LeaseUntil);
        builder.Property(j => j.LockedBy);
        builder.Property(j => j.LastError);
        builder.Property(j => j.SentAt);
        builder.Property(j => j.CreatedAt);
        builder.Property(j => j.UpdatedAt);
    }
}
