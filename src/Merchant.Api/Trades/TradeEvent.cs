using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Merchant.Api.Trades;

/// <summary>One entry of a trade's timeline: a transition, a platform call, a callback, a payment or a refund.</summary>
public sealed class TradeEvent
{
    public long EventId { get; init; }

    public required string TradeId { get; init; }

    public DateTimeOffset At { get; init; }

    public required string Kind { get; init; }

    public required string Actor { get; init; }

    public int? LineId { get; init; }

    public required string Summary { get; init; }

    public string? Outcome { get; init; }

    public int? DurationMs { get; init; }
}

internal sealed class TradeEventConfiguration : IEntityTypeConfiguration<TradeEvent>
{
    public void Configure(EntityTypeBuilder<TradeEvent> builder)
    {
        builder.ToTable("trade_events");
        builder.HasKey(e => e.EventId);
        builder.Property(e => e.EventId).UseIdentityByDefaultColumn();
        builder.Property(e => e.TradeId);
        builder.Property(e => e.At);
        builder.Property(e => e.Kind);
        builder.Property(e => e.Actor);
        builder.Property(e => e.LineId);
        builder.Property(e => e.Summary);
        builder.Property(e => e.Outcome);
        builder.Property(e => e.DurationMs);
    }
}
