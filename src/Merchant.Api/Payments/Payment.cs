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
        builder.Property(p => p.TradeId).HasColumnName("trade_id");
        builder.Property(p => p.Provider).HasColumnName("provider");
        builder.Property(p => p.ProviderPaymentId).HasColumnName("provider_payment_id");
        builder.Property(p => p.Status).HasColumnName("status");
        builder.Property(p => p.AmountFen).HasColumnName("amount_fen");
        builder.Property(p => p.CreatedAt).HasColumnName("created_at");
        builder.Property(p => p.PaidAt).HasColumnName("paid_at");
        builder.Property(p => p.UpdatedAt).HasColumnName("updated_at");
    }
}

internal sealed class RefundConfiguration : IEntityTypeConfiguration<Refund>
{
    public void Configure(EntityTypeBuilder<Refund> builder)
    {
        builder.ToTable("refunds");
        builder.HasKey(r => r.RefundKey);
        builder.Property(r => r.RefundKey).HasColumnName("refund_key");
        builder.Property(r => r.TradeId).HasColumnName("trade_id");
        builder.Property(r => r.LineId).HasColumnName("line_id");
        builder.Property(r => r.AmountFen).HasColumnName("amount_fen");
        builder.Property(r => r.Reason).HasColumnName("reason");
        builder.Property(r => r.Status).HasColumnName("status");
        builder.Property(r => r.ProviderRefundId).HasColumnName("provider_refund_id");
        builder.Property(r => r.CreatedAt).HasColumnName("created_at");
        builder.Property(r => r.CompletedAt).HasColumnName("completed_at");
    }
}
