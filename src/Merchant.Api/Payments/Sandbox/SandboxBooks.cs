using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Merchant.Api.Payments.Sandbox;

/// <summary>The sandbox provider's side of a payment.</summary>
public sealed class SandboxPayment
{
    public required string PaymentId { get; init; }

    public required string TradeId { get; init; }

    public long AmountFen { get; init; }

    public required string Status { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// A refund the sandbox took; the primary key makes a repeated refund key pay once. <c>processing</c> until
/// <see cref="SettleAt"/> (a refund scripted to settle late), then <c>succeeded</c>.
/// </summary>
public sealed class SandboxRefund
{
    public const string Processing = "processing";
    public const string Succeeded = "succeeded";

    public required string RefundKey { get; init; }

    public required string PaymentId { get; init; }

    public required string RefundId { get; init; }

    public long AmountFen { get; init; }

    public required string Status { get; set; }

    public DateTimeOffset? SettleAt { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

internal sealed class SandboxPaymentConfiguration : IEntityTypeConfiguration<SandboxPayment>
{
    public void Configure(EntityTypeBuilder<SandboxPayment> builder)
    {
        builder.ToTable("sandbox_payments");
        builder.HasKey(p => p.PaymentId);
        builder.Property(p => p.PaymentId);
        builder.Property(p => p.TradeId);
        builder.Property(p => p.AmountFen);
        builder.Property(p => p.Status);
        builder.Property(p => p.CreatedAt);
        builder.Property(p => p.UpdatedAt);
    }
}

internal sealed class SandboxRefundConfiguration : IEntityTypeConfiguration<SandboxRefund>
{
    public void Configure(EntityTypeBuilder<SandboxRefund> builder)
    {
        builder.ToTable("sandbox_refunds");
        builder.HasKey(r => r.RefundKey);
        builder.Property(r => r.RefundKey);
        builder.Property(r => r.PaymentId);
        builder.Property(r => r.RefundId);
        builder.Property(r => r.AmountFen);
        builder.Property(r => r.Status);
        builder.Property(r => r.SettleAt);
        builder.Property(r => r.CreatedAt);
    }
}
