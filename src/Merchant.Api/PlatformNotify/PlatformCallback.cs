using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Merchant.Api.PlatformNotify;

/// <summary>A dispense callback exactly as it arrived (the inbox), and what became of it.</summary>
public sealed class PlatformCallback
{
    public long CallbackId { get; set; }

    public required string TradeId { get; init; }

    public DateTimeOffset ReceivedAt { get; init; }

    public required string Body { get; init; }

    public DateTimeOffset? ProcessedAt { get; set; }

    public string? Outcome { get; set; }
}

internal sealed class PlatformCallbackConfiguration : IEntityTypeConfiguration<PlatformCallback>
{
    public void Configure(EntityTypeBuilder<PlatformCallback> builder)
    {
        builder.ToTable("platform_callbacks");
        builder.HasKey(c => c.CallbackId);
        builder.Property(c => c.CallbackId).UseIdentityByDefaultColumn();
        builder.Property(c => c.TradeId);
        builder.Property(c => c.ReceivedAt);
        builder.Property(c => c.Body);
        builder.Property(c => c.ProcessedAt);
        builder.Property(c => c.Outcome);
    }
}
