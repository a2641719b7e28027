using Merchant.Api.Idempotency;
using Merchant.Api.Jobs;
using Merchant.Api.Payments;
using Merchant.Api.Payments.Sandbox;
using Merchant.Api.PlatformNotify;
using Merchant.Api.Trades;
using Merchant.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Merchant.Api.Persistence;

public sealed class MerchantDbContext(DbContextOptions<MerchantDbContext> options) : DbContext(options)
{
    /// <summary>How every context talks to the database: snake_case columns by convention (tables are named explicitly).</summary>
    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options.UseNpgsql(dataSource,
                // Every save outside a transaction must stay one batch (see SaveChangesAsync); ours are far smaller.
                npgsql => npgsql.MaxBatchSize(1000))
            .UseSnakeCaseNamingConvention();

    public DbSet<Trade> Trades => Set<Trade>();

    public DbSet<TradeLine> TradeLines => Set<TradeLine>();

    public DbSet<Payment> Payments => Set<Payment>();

    public DbSet<Refund> Refunds => Set<Refund>();

    public DbSet<PaymentNotificationRecord> PaymentNotifications => Set<PaymentNotificationRecord>();

    public DbSet<Job> Jobs => Set<Job>();

    public DbSet<TradeEvent> TradeEvents => Set<TradeEvent>();

    public DbSet<PlatformCallback> PlatformCallbacks => Set<PlatformCallback>();

    public DbSet<IdempotencyRecord> IdempotencyKeys => Set<IdempotencyRecord>();

    public DbSet<SandboxPayment> SandboxPayments => Set<SandboxPayment>();

    public DbSet<SandboxRefund> SandboxRefunds => Set<SandboxRefund>();

    public DbSet<SandboxFaultRecord> SandboxFaults => Set<SandboxFaultRecord>();

    /// <summary>
    /// Saves in as few round trips as the work allows. Outside a transaction, EF would wrap the batch in BEGIN … COMMIT:
    /// a second round trip for nothing, because Npgsql sends the whole batch with one Sync, which PostgreSQL runs as one
    /// implicit transaction (all or nothing). Inside one, EF would add SAVEPOINT/RELEASE around the batch; nothing here
    /// recovers from a failed save inside a transaction (the transaction is abandoned), so those are two more for nothing.
    /// Measured in bench/README.md: 20 statements and 14 commits fewer per paid trade.
    /// <para>
    /// The usual save (rows modified, timeline entries and jobs added) goes as one hand-built batch
    /// (<see cref="ChangeBatch"/>, decision 0027); whatever it does not know how to write goes through EF, whole.
    /// </para>
    /// </summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        Database.AutoTransactionBehavior = AutoTransactionBehavior.Never;
        Database.AutoSavepointsEnabled = false;
        if (acceptAllChangesOnSuccess && await ChangeBatch.TrySaveAsync(this, cancellationToken) is { } saved)
        {
            return saved;
        }

        return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>
    /// A raw command on this context's connection inside its current transaction, parameters <c>$1</c>, <c>$2</c>, … in
    /// order (null as SQL NULL, its type taken from where PostgreSQL uses it). For the statements on the callback and
    /// dispatch paths that EF cannot cache: an interpolated <c>SqlQuery</c>/<c>FromSql</c> regenerates its SQL, looks up
    /// its shaper and processes its parameters on every call — about as much API CPU as a tracked load (profile in
    /// decision 0026). The caller disposes the command.
    /// </summary>
    public NpgsqlCommand Command(string sql, params object?[] values)
    {
        var transaction = Database.CurrentTransaction?.GetDbTransaction() as NpgsqlTransaction
            ?? throw new InvalidOperationException("A raw command on the context runs inside its transaction (BeginTransactionAsync first).");
        var command = new NpgsqlCommand(sql, transaction.Connection, transaction);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        return command;
    }

    /// <summary>The trade and its lines, tracked; compiled once (a LINQ query is translated, funcletized and looked up per call).</summary>
    public static readonly Func<MerchantDbContext, string, CancellationToken, Task<Trade?>> TradeWithLines =
        EF.CompileAsyncQuery((MerchantDbContext db, string tradeId, CancellationToken _) =>
            db.Trades.Include(t => t.Lines).SingleOrDefault(t => t.TradeId == tradeId));

    /// <summary>The same, untracked: a read outside the trade's lock (the dispense job's first look, trade views).</summary>
    public static readonly Func<MerchantDbContext, string, CancellationToken, Task<Trade?>> TradeWithLinesReadOnly =
        EF.CompileAsyncQuery((MerchantDbContext db, string tradeId, CancellationToken _) =>
            db.Trades.AsNoTracking().Include(t => t.Lines).SingleOrDefault(t => t.TradeId == tradeId));

    /// <summary>A trade's payment, tracked (changed under the trade's lock); compiled once like the trade's load.</summary>
    public static readonly Func<MerchantDbContext, string, CancellationToken, Task<Payment?>> PaymentOf =
        EF.CompileAsyncQuery((MerchantDbContext db, string tradeId, CancellationToken _) =>
            db.Payments.SingleOrDefault(p => p.TradeId == tradeId));

    /// <summary>A trade's payment, untracked: what the payment and lifecycle jobs read before they act.</summary>
    public static readonly Func<MerchantDbContext, string, CancellationToken, Task<Payment?>> PaymentOfReadOnly =
        EF.CompileAsyncQuery((MerchantDbContext db, string tradeId, CancellationToken _) =>
            db.Payments.AsNoTracking().SingleOrDefault(p => p.TradeId == tradeId));

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(MerchantDbContext).Assembly);
}
