using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Merchant.Api.Ops;

/// <summary>Trades of one machine in one status, ever (migration 0006); written only by the triggers on trades.</summary>
public sealed class TradeCount
{
    public string MachineNo { get; set; } = "";

    public string Status { get; set; } = "";

    public long Count { get; set; }
}

/// <summary>Trades of one machine created on one UTC day, by their status now.</summary>
public sealed class TradeCountDaily
{
    public DateOnly Day { get; set; }

    public string MachineNo { get; set; } = "";

    public string Status { get; set; } = "";

    public long Count { get; set; }
}

/// <summary>Money paid or refunded on one UTC day through one provider, one of 8 shards (sum them).</summary>
public sealed class MoneyDaily
{
    public DateOnly Day { get; set; }

    public string Provider { get; set; } = "";

    public string Kind { get; set; } = "";

    public short Shard { get; set; }

    public long Fen { get; set; }
}

internal sealed class TradeCountConfiguration : IEntityTypeConfiguration<TradeCount>
{
    public void Configure(EntityTypeBuilder<TradeCount> builder)
    {
        builder.ToTable("trade_counts");
        builder.HasKey(c => new { c.MachineNo, c.Status });
    }
}

internal sealed class TradeCountDailyConfiguration : IEntityTypeConfiguration<TradeCountDaily>
{
    public void Configure(EntityTypeBuilder<TradeCountDaily> builder)
    {
        builder.ToTable("trade_counts_daily");
        builder.HasKey(c => new { c.Day, c.MachineNo, c.Status });
    }
}

internal sealed class MoneyDailyConfiguration : IEntityTypeConfiguration<MoneyDaily>
{
    public void Configure(EntityTypeBuilder<MoneyDaily> builder)
    {
        builder.ToTable("money_daily");
        builder.HasKey(m => new { m.Day, m.Provider, m.Kind, m.Shard });
    }
}
