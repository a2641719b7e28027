using Merchant.Api.Jobs;
using Merchant.Api.Persistence;
using Merchant.Api.Trades;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Merchant.Api.Tests;

/// <summary>
/// The hand-built save batch (decision 0027) against what EF's SaveChanges guaranteed: the columns changed and nothing
/// else, timeline entries in the order they were added, generated ids and the trade's row version read back, a row
/// version that moved refused, database errors as <see cref="DbUpdateException"/>, and what it cannot write left to EF.
/// Every check reads the rows, not the tracker.
/// </summary>
public sealed class ChangeBatchTests : StackWithDatabase
{
    [Fact]
    public async Task A_trade_change_writes_its_changed_columns_timeline_in_order_and_reads_back_ids_and_version()
    {
        var tradeId = await DispensingTradeAsync();
        using var scope = Host.Api.Services.CreateScope();
        var trades = scope.ServiceProvider.GetRequiredService<TradeStore>();
        Job? job = null;
        var trade = await trades.ChangeAsync(tradeId, Actors.Worker, t =>
        {
            t.RecordDelivery(1, "delivery-1");
            for (var i = 1; i <= 5; i++)
            {
                trades.Note(t.TradeId, "note", Actors.Worker, $"entry {i}");
            }

            job = trades.Db.Enqueue(JobKinds.Poll, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5), t.TradeId, 1,
                runAt: DateTimeOffset.UtcNow.AddMinutes(3), dedupeKey: $"poll:{t.TradeId}:1");
        }, CancellationToken.None);

        (await Text("SELECT delivery_id FROM trade_lines WHERE trade_id = $1", tradeId)).ShouldBe("delivery-1");
        (await Text("SELECT string_agg(summary, ',' ORDER BY event_id) FROM trade_events WHERE trade_id = $1 AND kind = 'note'", tradeId))
            .ShouldBe("entry 1,entry 2,entry 3,entry 4,entry 5");
        job!.JobId.ShouldBeGreaterThan(0);
        (await History.ScalarAsync(Db, "SELECT job_id FROM jobs WHERE trade_id = $1 AND kind = 'poll_line'", tradeId)).ShouldBe(job.JobId);
        trade!.Version.ShouldBe(uint.Parse(await Text("SELECT xmin::text FROM trades WHERE trade_id = $1", tradeId),
            System.Globalization.CultureInfo.InvariantCulture));

        // The tracker took the save as done: a second change in the same scope writes only what it changes.
        scope.ServiceProvider.GetRequiredService<MerchantDbContext>().ChangeTracker.Entries().ShouldAllBe(e => e.State == EntityState.Unchanged);
        await trades.ChangeAsync(tradeId, Actors.Worker, t => t.RecordDelivery(1, "delivery-2"), CancellationToken.None);
        (await Text("SELECT delivery_id FROM trade_lines WHERE trade_id = $1", tradeId)).ShouldBe("delivery-2");
        (await History.ScalarAsync(Db, "SELECT count(*) FROM jobs WHERE trade_id = $1", tradeId)).ShouldBe(1);
    }

    [Fact]
    public async Task A_trade_whose_row_version_moved_since_it_was_read_is_refused_and_left_as_it_was()
    {
        var (tradeId, scope, db, trade) = await TrackedTradeAsync();
        using var _ = scope;
        await History.ExecuteAsync(Db, "UPDATE trades SET customer_ref = 'someone else' WHERE trade_id = $1", tradeId);

        trade.RecordDelivery(1, "too late");
        db.Entry(trade).Property(t => t.CustomerRef).CurrentValue = "us";
        await Should.ThrowAsync<DbUpdateConcurrencyException>(() => db.SaveChangesAsync());

        (await Text("SELECT customer_ref FROM trades WHERE trade_id = $1", tradeId)).ShouldBe("someone else");
        (await Text("SELECT coalesce(delivery_id, 'none') FROM trade_lines WHERE trade_id = $1", tradeId)).ShouldBe("none");
    }

    [Fact]
    public async Task A_database_error_is_a_DbUpdateException_and_nothing_of_the_batch_is_written()
    {
        var tradeId = await DispensingTradeAsync();
        using var scope = Host.Api.Services.CreateScope();
        var trades = scope.ServiceProvider.GetRequiredService<TradeStore>();
        var now = DateTimeOffset.UtcNow;
        await trades.ChangeAsync(tradeId, Actors.Worker,
            _ => trades.Db.Enqueue(JobKinds.Poll, now, TimeSpan.FromMinutes(5), tradeId, 1, runAt: now.AddMinutes(3), dedupeKey: $"poll:{tradeId}:1"),
            CancellationToken.None);

        // A second pending job with the same dedupe key breaks the partial unique index.
        var failure = await Should.ThrowAsync<DbUpdateException>(() => trades.ChangeAsync(tradeId, Actors.Worker, t =>
        {
            t.RecordDelivery(1, "never");
            trades.Note(tradeId, "note", Actors.Worker, "never written");
            trades.Db.Enqueue(JobKinds.Poll, now, TimeSpan.FromMinutes(5), tradeId, 1, runAt: now.AddMinutes(3), dedupeKey: $"poll:{tradeId}:1");
        }, CancellationToken.None));

        failure.InnerException.ShouldBeOfType<PostgresException>().SqlState.ShouldBe(PostgresErrorCodes.UniqueViolation);
        (await Text("SELECT coalesce(delivery_id, 'none') FROM trade_lines WHERE trade_id = $1", tradeId)).ShouldBe("none");
        (await History.ScalarAsync(Db, "SELECT count(*) FROM trade_events WHERE trade_id = $1 AND summary = 'never written'", tradeId)).ShouldBe(0);
        (await History.ScalarAsync(Db, "SELECT count(*) FROM jobs WHERE trade_id = $1", tradeId)).ShouldBe(1);
    }

    [Fact]
    public async Task What_the_batch_does_not_write_goes_through_EF_whole()
    {
        var (tradeId, scope, db, trade) = await TrackedTradeAsync();
        using var _ = scope;
        var note = new TradeEvent { TradeId = tradeId, Kind = "note", Actor = Actors.Ops, Summary = "kept", At = DateTimeOffset.UtcNow };
        db.TradeEvents.Add(note);
        await db.SaveChangesAsync();

        // A delete is EF's to write; the change beside it goes with it, in the same save.
        db.TradeEvents.Remove(note);
        trade.RecordDelivery(1, "with the delete");
        await db.SaveChangesAsync();

        (await History.ScalarAsync(Db, "SELECT count(*) FROM trade_events WHERE trade_id = $1", tradeId)).ShouldBe(0);
        (await Text("SELECT delivery_id FROM trade_lines WHERE trade_id = $1", tradeId)).ShouldBe("with the delete");
    }

    /// <summary>A dispensing trade loaded, tracked and unlocked, in a scope of its own the caller disposes.</summary>
    private async Task<(string TradeId, IServiceScope Scope, MerchantDbContext Db, Domain.Trade Trade)> TrackedTradeAsync()
    {
        var tradeId = await DispensingTradeAsync();
        var scope = Host.Api.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<MerchantDbContext>();
        return (tradeId, scope, db, await db.Trades.Include(t => t.Lines).SingleAsync(t => t.TradeId == tradeId));
    }

    private Task<string> DispensingTradeAsync() =>
        History.TradeAsync(Db, History.NewMachine(), DateTimeOffset.UtcNow, status: "dispensing", lineStatus: "dispensing");

    private async Task<string> Text(string sql, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, Db);
        foreach (var value in values)
        {
            command.Parameters.Add(new() { Value = value });
        }

        return (string)(await command.ExecuteScalarAsync())!;
    }
}
