using Merchant.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Merchant.Api.Persistence.Configurations;

internal sealed class TradeConfiguration : IEntityTypeConfiguration<Trade>
{
    public void Configure(EntityTypeBuilder<Trade> builder)
    {
        builder.ToTable("trades");
        builder.HasKey(t => t.TradeId);
        builder.Property(t => t.TradeId).HasColumnName("trade_id");
        builder.Property(t => t.Kind).HasColumnName("kind").HasConversion(StatusConverters.Kind);
        builder.Property(t => t.MachineNo).HasColumnName("machine_no");
        builder.Property(t => t.Status).HasColumnName("status").HasConversion(StatusConverters.Trade);
        builder.Property(t => t.AmountFen).HasColumnName("amount_fen");
        builder.Property(t => t.Currency).HasColumnName("currency");
        builder.Property(t => t.PlatformOrderId).HasColumnName("platform_order_id");
        builder.Property(t => t.CustomerRef).HasColumnName("customer_ref");
        builder.Property(t => t.PickupCode).HasColumnName("pickup_code");
        builder.Property(t => t.StatusReason).HasColumnName("status_reason");
        builder.Property(t => t.CreatedAt).HasColumnName("created_at");
        builder.Property(t => t.OrderCreatedAt).HasColumnName("order_created_at");
        builder.Property(t => t.PayBefore).HasColumnName("pay_before");
        builder.Property(t => t.PaidAt).HasColumnName("paid_at");
        builder.Property(t => t.UpdatedAt).HasColumnName("updated_at");
        builder.Property(t => t.Version).IsRowVersion();
        builder.Ignore(t => t.Changes);
        builder.Ignore(t => t.RefundedFen);
        builder.HasMany(t => t.Lines).WithOne().HasForeignKey(l => l.TradeId);
        builder.Navigation(t => t.Lines).HasField("_lines").UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

internal sealed class TradeLineConfiguration : IEntityTypeConfiguration<TradeLine>
{
    public void Configure(EntityTypeBuilder<TradeLine> builder)
    {
        builder.ToTable("trade_lines");
        builder.HasKey(l => new { l.TradeId, l.LineId });
        builder.Property(l => l.TradeId).HasColumnName("trade_id");
        builder.Property(l => l.LineId).HasColumnName("line_id").ValueGeneratedNever();
        builder.Property(l => l.MachineNo).HasColumnName("machine_no");
        builder.Property(l => l.ProductId).HasColumnName("product_id");
        builder.Property(l => l.Name).HasColumnName("name");
        builder.Property(l => l.PriceFen).HasColumnName("price_fen");
        builder.Property(l => l.Quantity).HasColumnName("quantity");
        builder.Property(l => l.PlatformRecordId).HasColumnName("platform_record_id");
        builder.Property(l => l.Status).HasColumnName("status").HasConversion(StatusConverters.Line);
        builder.Property(l => l.FailureReason).HasColumnName("failure_reason");
        builder.Property(l => l.DeliveryId).HasColumnName("delivery_id");
        builder.Property(l => l.DispatchedAt).HasColumnName("dispatched_at");
        builder.Property(l => l.SettledAt).HasColumnName("settled_at");
    }
}
