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
        builder.Property(t => t.TradeId);
        builder.Property(t => t.Kind).HasConversion(StatusConverters.Kind);
        builder.Property(t => t.MachineNo);
        builder.Property(t => t.Status).HasConversion(StatusConverters.Trade);
        builder.Property(t => t.AmountFen);
        builder.Property(t => t.Currency);
        builder.Property(t => t.PlatformOrderId);
        builder.Property(t => t.CustomerRef);
        builder.Property(t => t.PickupCode);
        builder.Property(t => t.StatusReason);
        builder.Property(t => t.CreatedAt);
        builder.Property(t => t.OrderCreatedAt);
        builder.Property(t => t.PayBefore);
        builder.Property(t => t.PaidAt);
        builder.Property(t => t.UpdatedAt);
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
        builder.Property(l => l.TradeId);
        builder.Property(l => l.LineId).ValueGeneratedNever();
        builder.Property(l => l.MachineNo);
        builder.Property(l => l.ProductId);
        builder.Property(l => l.Name);
        builder.Property(l => l.PriceFen);
        builder.Property(l => l.Quantity);
        builder.Property(l => l.PlatformRecordId);
        builder.Property(l => l.Status).HasConversion(StatusConverters.Line);
        builder.Property(l => l.FailureReason);
        builder.Property(l => l.DeliveryId);
        builder.Property(l => l.DispatchedAt);
        builder.Property(l => l.SettledAt);
    }
}
