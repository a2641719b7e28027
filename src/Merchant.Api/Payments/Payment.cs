using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Merchant.Api.Payments;

/// <summary>Our record of a trade's payment: pending → succeeded | failed | closed (a failed one may still succeed).</summary>
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

    /// <summary><c>native</c> or <c>jsapi</c> (WeChat Pay); null for the sandbox.</summary>
    public string? Method { get; init; }

    /// <summary>What the customer is shown to pay (API.md <c>payment.action</c>), as JSON.</summary>
    public string? Action { get; init; }

    /// <summary>The provider's id of the money movement, once paid (WeChat's transaction_id).</summary>
    public string? TransactionId { get; set; }

    /// <summary>What the provider says was paid; differs from <see cref="AmountFen"/> only on a mismatch.</summary>
    public long? PaidFen { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? PaidAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public PaymentRef Ref => new(TradeId, ProviderPaymentId, AmountFen);
}

/// <summary>
/// One refund of one line (line 0: a whole payment that matched no trade); its key is what the provider deduplicates on.
/// pending (decided) → requested (the provider took it) → succeeded | closed | abnormal.
/// </summary>
public sealed class Refund
{
    public const string Pending = "pending";
    public const string Requested = "requested";
    public const string Succeeded = "succeeded";
    public const string Closed = "closed";
    public const string Abnormal = "abnormal";

    /// <summary>The line number of a refund of a whole payment rather than of one line.</summary>
    public const int WholePayment = 0;

    public required string RefundKey { get; init; }

    public required string TradeId { get; init; }

    public int LineId { get; init; }

    public long AmountFen { get; init; }

    public required string Reason { get; init; }

    public required string Status { get; set; }

    public string? ProviderRefundId { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? RequestedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>What the provider said of a refund that did not succeed.</summary>
    public string? Detail { get; set; }

    public bool IsFinal => Status is Succeeded or Closed or Abnormal;

    public static string KeyFor(string tradeId, int lineId) => $"{tradeId}-{lineId}";
}

/// <summary>A verified provider notification, stored before it is applied (and applied once: <see cref="AppliedAt"/>).</summary>
public sealed class PaymentNotificationRecord
{
    public long NotificationId { get; init; }

    public required string Provider { get; init; }

    public required string EventId { get; init; }

    public required string TradeId { get; init; }

    public string? RefundKey { get; init; }

    /// <summary>The notification as the provider sent it (for WeChat Pay: still encrypted).</summary>
    public required string Raw { get; init; }

    /// <summary>What we read from it, verified and decrypted (<see cref="ProviderNotification"/> as JSON).</summary>
    public required string Body { get; init; }

    public DateTimeOffset ReceivedAt { get; init; }

    public DateTimeOffset? AppliedAt { get; set; }
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
        builder.Property(p => p.Method);
        builder.Property(p => p.Action).HasColumnType("jsonb");
        builder.Property(p => p.TransactionId);
        builder.Property(p => p.PaidFen);
        builder.Property(p => p.CreatedAt);
        builder.Property(p => p.PaidAt);
        builder.Property(p => p.UpdatedAt);
        builder.Ignore(p => p.Ref);
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
        builder.Property(r => r.RequestedAt);
        builder.Property(r => r.CompletedAt);
        builder.Property(r => r.Detail);
        builder.Ignore(r => r.IsFinal);
    }
}

internal sealed class PaymentNotificationConfiguration : IEntityTypeConfiguration<PaymentNotificationRecord>
{
    public void Configure(EntityTypeBuilder<PaymentNotificationRecord> builder)
    {
        builder.ToTable("payment_notifications");
        builder.HasKey(n => n.NotificationId);
        builder.Property(n => n.NotificationId).UseIdentityByDefaultColumn();
        builder.Property(n => n.Provider);
        builder.Property(n => n.EventId);
        builder.Property(n => n.TradeId);
        builder.Property(n => n.RefundKey);
        builder.Property(n => n.Raw);
        builder.Property(n => n.Body).HasColumnType("jsonb");
        builder.Property(n => n.ReceivedAt);
        builder.Property(n => n.AppliedAt);
    }
}
