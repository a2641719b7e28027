using Merchant.Api.Idempotency;
using Merchant.Api.Jobs;
using Merchant.Api.Payments;
using Merchant.Api.Payments.Sandbox;
using Merchant.Api.PlatformNotify;
using Merchant.Api.Trades;
using Merchant.Domain;
using Microsoft.EntityFrameworkCore;

namespace Merchant.Api.Persistence;

public sealed class MerchantDbContext(DbContextOptions<MerchantDbContext> options) : DbContext(options)
{
    public DbSet<Trade> Trades => Set<Trade>();

    public DbSet<TradeLine> TradeLines => Set<TradeLine>();

    public DbSet<Payment> Payments => Set<Payment>();

    public DbSet<Refund> Refunds => Set<Refund>();

    public DbSet<Job> Jobs => Set<Job>();

    public DbSet<TradeEvent> TradeEvents => Set<TradeEvent>();

    public DbSet<PlatformCallback> PlatformCallbacks => Set<PlatformCallback>();

    public DbSet<IdempotencyRecord> IdempotencyKeys => Set<IdempotencyRecord>();

    public DbSet<SandboxPayment> SandboxPayments => Set<SandboxPayment>();

    public DbSet<SandboxRefund> SandboxRefunds => Set<SandboxRefund>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(MerchantDbContext).Assembly);
}
