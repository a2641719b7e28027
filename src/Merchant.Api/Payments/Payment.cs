using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Merchant.Api.Payments;

/// <summary>Our record of a trade's payment: pending → succeeded | failed | closed.</summary>
public sealed class Payment
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Closed = "closed";

    public required string TradeId { get; init; }

    public required string Provider { get; init; }

    public required string ProviderPaymentId { get; init; }

    public required string Status { get; set; }

    public long AmountFen { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? PaidAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One refund of one line; its key is what the provider deduplicates on.</summary>
public sealed class Refund
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";

    public required string RefundKey { get; init; }

    public required string TradeId { get; init; }

    public int LineId { get; init; }

    public long AmountFen { get; init; }

    public required string Reason { get; init; }

    public required string Status { get; set; }

    public string? ProviderRefundId { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; set; }

    public static string KeyFor(string tradeId, int lineId) => $"{tradeId}-{lineId}";
}

internal sealed class PaymentConfiguration : IEntityTypeConfiguration<Payment>
{
    public void Configure(EntityTypeBuilder<Payment> builder)
    {
        builder.ToTable("payments");
        builder.HasKey(p => p.TradeId);
        builder.Property(p => p.TradeId);
        builder.Property(p => p.Provider);
        builder.Property(p => p.ProviderPaymentId);
        builder.Property(p => p.Status);
        builder.Property(p => p.AmountFen);
        builder.Property(p => p.CreatedAt);
        builder.Property(p => p.PaidAt);
        builder.Property(p => p.UpdatedAt);
    }
}

internal sealed class RefundConfiguration : IEntityTypeConfiguration<Refund>
{
    public void Configure(EntityTypeBuilder<Refund> builder)
    {
        builder.ToTable("refunds");
        builder.HasKey(r => r.RefundKey);
        builder.Property(r => r.RefundKey);
        builder.Property(r => r.TradeId);
        builder.Property(r => r.LineId);
        builder.Property(r => r.AmountFen);
        builder.Property(r => r.Reason);
        builder.Property(r => r.Status);
        builder.Property(r => r.ProviderRefundId);
        builder.Property(r => r.CreatedAt);
        builder.Property(r => r.CompletedAt);
    }
}
