using Merchant.Api.Dispensing;
using Merchant.Api.Errors;
using Merchant.Api.Hosting;
using Merchant.Api.Jobs;
using Merchant.Api.Payments;
using Merchant.Api.Trades;
using Merchant.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Vending.Platform;

namespace Merchant.Api.Ops;

public sealed class OpsService(
    TradeStore trades, TradeService tradeService, IPlatformApi platform, DispenseResults results, JobStore jobs,
    Fleet.AlertService alerts, TimeProvider clock, IOptions<DispenseOptions> dispense, IOptions<PaymentsOptions> payments)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;
    public const int MaxPage = 100;

    /// <summary>Up to this many matches are counted exactly; past it the count would read the history (API.md).</summary>
    public const int ExactTotalUpTo = 10_000;

    /// <summary>
    /// Keyset search (decision 0023): each filter combination has an index ending in (created_at DESC, trade_id DESC), so a
    /// page is one index range read after the cursor whatever the depth; <paramref name="page"/> is offset paging, kept
    /// for the first pages only.
    /// </summary>
    public async Task<TradePage> ListAsync(string? status, string? machineNo, DateTimeOffset? from, DateTimeOffset? to, string? cursor,
        int? limit, int? page, CancellationToken cancellationToken)
    {
        var take = limit ?? DefaultLimit;
        if (take is < 1 or > MaxLimit)
        {
            throw ApiProblem.Validation($"limit must be between 1 and {MaxLimit}.");
        }

        if (page is not null && cursor is not null)
        {
            throw ApiProblem.Validation("Give cursor or page, not both.");
        }

        if (page is < 1)
        {
            throw ApiProblem.Validation("page must be 1 or more.");
        }

        if (page > MaxPage)
        {
            throw new ApiProblem(400, "use_cursor", "Page numbers stop at the first pages; follow the cursor.",
                    $"page {page} is past the first {MaxPage} pages; follow next_cursor (or pass cursor) to go further.")
                .With("max_page", MaxPage);
        }

        var after = cursor is null ? (TradeCursor?)null : TradeCursor.Decode(cursor);
        TradeStatus? parsed = null;
        if (!string.IsNullOrEmpty(status))
        {
            parsed = StatusNames.TryParseTrade(status, out var known) ? known : throw ApiProblem.Validation($"Unknown status '{status}'.");
        }

        if (!string.IsNullOrEmpty(machineNo))
        {
            Checkouts.CheckoutValidation.MachineNo(machineNo);
        }

        var fromUtc = from?.ToUniversalTime();
        var toUtc = to?.ToUniversalTime();
        var query = trades.Db.Trades.AsNoTracking();
        if (parsed is { } s)
        {
            query = query.Where(t => t.Status == s);
        }

        if (!string.IsNullOrEmpty(machineNo))
        {
            query = query.Where(t => t.MachineNo == machineNo);
        }

        if (fromUtc is { } f)
        {
            query = query.Where(t => t.CreatedAt >= f);
        }

        if (toUtc is { } t2)
        {
            query = query.Where(t => t.CreatedAt < t2);
        }

        // Counted before the cursor narrows it: the total is of the whole filter, read at most 10,001 index entries deep.
        var counted = await query.Select(t => 1).Take(ExactTotalUpTo + 1).CountAsync(cancellationToken);
        var matching = query;
        if (after is { } c)
        {
            var (createdAt, tradeId) = (c.CreatedAt, c.TradeId);
            matching = matching.Where(t => EF.Functions.LessThan(ValueTuple.Create(t.CreatedAt, t.TradeId), ValueTuple.Create(createdAt, tradeId)));
        }

        if (page is > 1 && after is null)
        {
            // Offset paging walks the skipped rows; with the line counts and refunded sums in the page's projection
            // PostgreSQL would compute them for every skipped row too (54 ms for page 100 at 200 k trades). The offset
            // is taken on the keyset index alone, and the page is then read from that key like a cursor.
            var first = await matching.OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.TradeId).Skip((page.Value - 1) * take)
                .Select(t => new { t.CreatedAt, t.TradeId }).FirstOrDefaultAsync(cancellationToken);
            if (first is null)
            {
                matching = matching.Where(t => false);
            }
            else
            {
                var (createdAt, tradeId) = (first.CreatedAt, first.TradeId);
                matching = matching.Where(t => EF.Functions.LessThanOrEqual(ValueTuple.Create(t.CreatedAt, t.TradeId), ValueTuple.Create(createdAt, tradeId)));
            }
        }

        var ordered = matching.OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.TradeId);
        var rows = await ordered.Take(take + 1)
            .Select(t => new
            {
                t.TradeId, t.Kind, t.MachineNo, t.Status, t.AmountFen, t.CreatedAt, t.UpdatedAt, Lines = t.Lines.Count,

                // As Trade.RefundedFen has it (the sum of refunded lines), in the query rather than from loaded lines.
                RefundedFen = t.Lines.Where(l => l.Status == LineStatus.Refunded).Sum(l => l.PriceFen),
            })
            .ToListAsync(cancellationToken);
        var items = rows.Take(take).Select(t => new TradeSummary(t.TradeId, t.Kind.ToWire(), t.MachineNo, t.Status.ToWire(), Money.ToWire(t.AmountFen),
            Money.ToWire(t.RefundedFen), t.CreatedAt, t.UpdatedAt, t.Lines)).ToList();
        var next = rows.Count > take ? new TradeCursor(items[^1].CreatedAt, items[^1].TradeId).Encode() : null;
        return counted <= ExactTotalUpTo
            ? new TradePage(items, next, take) { Page = page, Total = counted }
            : new TradePage(items, next, take) { Page = page, TotalEstimate = await EstimateAsync(parsed, machineNo, fromUtc, toUtc, cancellationToken) };
    }

    /// <summary>
    /// More than 10,000 matches: without a time range the counters answer (their rows grow with machines, not history);
    /// with one, the planner's estimate from the table statistics.
    /// </summary>
    private async Task<long> EstimateAsync(TradeStatus? status, string? machineNo, DateTimeOffset? from, DateTimeOffset? to,
        CancellationToken cancellationToken)
    {
        var db = trades.Db;
        var statusName = status?.ToWire();
        if (from is null && to is null)
        {
            var counts = db.Set<TradeCount>().AsNoTracking();
            counts = machineNo is null ? counts : counts.Where(c => c.MachineNo == machineNo);
            counts = statusName is null ? counts : counts.Where(c => c.Status == statusName);
            return await counts.SumAsync(c => c.Count, cancellationToken);
        }

        // EXPLAIN takes no bind parameters, so the server's own format(%L) quotes the values into its text.
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            string plan;
            await using (var quote = connection.CreateCommand())
            {
                quote.CommandText = """
                    SELECT format('EXPLAIN (FORMAT JSON) SELECT 1 FROM trades WHERE true %s %s %s %s',
                        CASE WHEN $1::text IS NULL THEN '' ELSE format('AND status = %L', $1::text) END,
                        CASE WHEN $2::text IS NULL THEN '' ELSE format('AND machine_no = %L', $2::text) END,
                        CASE WHEN $3::timestamptz IS NULL THEN '' ELSE format('AND created_at >= %L', $3::timestamptz) END,
                        CASE WHEN $4::timestamptz IS NULL THEN '' ELSE format('AND created_at < %L', $4::timestamptz) END)
                    """;
                foreach (var value in new object?[] { statusName, machineNo, from, to })
                {
                    quote.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
                }

                plan = (string)(await quote.ExecuteScalarAsync(cancellationToken))!;
            }

            await using var explain = connection.CreateCommand();
            explain.CommandText = plan;
            using var document = System.Text.Json.JsonDocument.Parse((string)(await explain.ExecuteScalarAsync(cancellationToken))!);
            return (long)document.RootElement[0].GetProperty("Plan").GetProperty("Plan Rows").GetDouble();
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public async Task<TradeDetail> DetailAsync(string tradeId, CancellationToken cancellationToken)
    {
        var trade = await tradeService.GetAsync(tradeId, cancellationToken);
        var db = trades.Db;
        var timeline = await db.TradeEvents.AsNoTracking().Where(e => e.TradeId == tradeId).OrderBy(e => e.EventId)
            .Select(e => new TimelineEntry(e.At, e.Kind, e.Actor, e.LineId, e.Summary, e.Outcome, e.DurationMs))
            .ToListAsync(cancellationToken);
        var refunds = (await db.Refunds.AsNoTracking().Where(r => r.TradeId == tradeId).OrderBy(r => r.LineId).ToListAsync(cancellationToken))
            .Select(r => new RefundView(r.RefundKey, r.LineId, Money.ToWire(r.AmountFen), r.Status, r.Reason, r.CreatedAt, r.CompletedAt))
            .ToList();
        var jobRows = await db.Jobs.AsNoTracking().Where(j => j.TradeId == tradeId).OrderBy(j => j.JobId)
            .Select(j => new JobView(j.JobId, j.Kind, j.TradeId, j.LineId, j.Status, j.Attempts, j.RunAt, j.Deadline, j.LastError))
            .ToListAsync(cancellationToken);
        return new TradeDetail(trade, timeline, refunds, jobRows);
    }

    /// <summary>Reads the order from the platform now and applies what it says about lines we are unsure of.</summary>
    public async Task<TradeDetail> ReconcileAsync(string tradeId, CancellationToken cancellationToken)
    {
        var trade = await trades.FindAsync(tradeId, cancellationToken) ?? throw ApiProblem.NotFound($"Trade {tradeId}");
        if (trade.PlatformOrderId is not { } orderId)
        {
            throw new ApiProblem(409, "no_platform_order", "This trade never got a platform order; there is nothing to reconcile.");
        }

        PlatformOrder order;
        try
        {
            order = await platform.GetOrderAsync(new QueryOrderRequest(trade.MachineNo, orderId), cancellationToken);
        }
        catch (PlatformException e)
        {
            throw e.ToProblem();
        }

        await trades.ChangeAsync(tradeId, Actors.Ops, t => trades.Note(t.TradeId, "platform_call", Actors.Ops, "reconcile: query order",
            $"{order.Status}; {string.Join(", ", order.Records.Select(r => $"{r.RecordId}={r.Status}"))}"), cancellationToken);
        foreach (var line in trade.Lines.Where(l => l.Status is LineStatus.Dispensing or LineStatus.NeedsAttention))
        {
            var record = order.Records.FirstOrDefault(r => r.RecordId == line.PlatformRecordId);
            var verdict = record?.Status switch
            {
                RecordStatus.IsSuccess or RecordStatus.IsPickedUp => (DispenseOutcome.Dispensed, (string?)null),
                RecordStatus.IsFailed => (DispenseOutcome.Failed, "platform reports IS_FAILED"),
                RecordStatus.IsTimeout => (DispenseOutcome.TimedOut, "platform reports IS_TIMEOUT"),
                _ => line.Status == LineStatus.Dispensing
                    ? PollHandler.Judge(record?.Status, line, clock.GetUtcNow(), dispense.Value) ?? default
                    : default,
            };
            if (verdict != default)
            {
                await results.ApplyAsync(tradeId, line.LineId, verdict.Item1, verdict.Item2, Actors.Ops, cancellationToken);
            }
        }

        return await DetailAsync(tradeId, cancellationToken);
    }

    /// <summary>Ops decide a line was not delivered (DESIGN §2: needs_attention is settled by a person) and refund it.</summary>
    public async Task<TradeDetail> RefundLineAsync(string tradeId, int lineId, CancellationToken cancellationToken)
    {
        var payment = await trades.Db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.TradeId == tradeId, cancellationToken);
        var trade = await trades.ChangeAsync(tradeId, Actors.Ops, t =>
        {
            var now = clock.GetUtcNow();
            if (t.Kind != TradeKind.Purchase || payment is not { Status: Payment.Succeeded })
            {
                throw new ApiProblem(409, "nothing_to_refund", "This trade took no payment; issue a new pickup code instead.");
            }

            var line = t.Lines.FirstOrDefault(l => l.LineId == lineId) ?? throw ApiProblem.NotFound($"Line {lineId}");
            if (line.Status is not (LineStatus.NeedsAttention or LineStatus.Failed))
            {
                throw new ApiProblem(409, "invalid_transition", $"Only a line that needs attention can be refunded by ops; this one is {line.Status.ToWire()}.")
                    .With("status", line.Status.ToWire());
            }

            if (line.Status == LineStatus.NeedsAttention)
            {
                t.RecordDispenseResult(lineId, dispensed: false, "refund decided by ops", now);
            }

            trades.Note(t.TradeId, "refund", Actors.Ops, $"ops refund of line {lineId} requested", null, lineId);
            // A refund the provider refused, never answered or never confirmed is asked for again under its key.
            Refunds.RequestAgain(trades.Db, t, line, "refund decided by ops", now, payments.Value.RefundDeadline);
            t.Settle(now);
        }, cancellationToken);
        return trade is null ? throw ApiProblem.NotFound($"Trade {tradeId}") : await DetailAsync(tradeId, cancellationToken);
    }

    /// <summary>
    /// Constant in the history (decision 0023): trade counts and today's money come from the counter tables the triggers of
    /// migration 0006 keep in the same transaction as the rows; stuck work from partial indexes over the few rows in those states.
    /// </summary>
    public async Task<Summary> SummaryAsync(CancellationToken cancellationToken)
    {
        var db = trades.Db;
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var open = Enum.GetValues<TradeStatus>().Where(s => !s.IsTerminal()).Select(s => s.ToWire()).ToArray();
        var byStatus = await db.Set<TradeCount>().AsNoTracking().GroupBy(c => c.Status)
            .Select(g => new { Status = g.Key, Count = g.Sum(c => c.Count) }).Where(g => g.Count > 0).ToListAsync(cancellationToken);

        // Each machine's open trades (any day) and today's trades in every other status, as this view always showed.
        var byMachine = await db.Set<TradeCount>().AsNoTracking().Where(c => open.Contains(c.Status) && c.Count > 0)
            .Select(c => new { c.MachineNo, c.Status, c.Count })
            .Concat(db.Set<TradeCountDaily>().AsNoTracking().Where(c => c.Day == today && !open.Contains(c.Status) && c.Count > 0)
                .Select(c => new { c.MachineNo, c.Status, c.Count }))
            .ToListAsync(cancellationToken);
        var dispensing = await db.TradeLines.AsNoTracking().Where(l => l.Status == LineStatus.Dispensing)
            .Select(l => new { l.MachineNo, l.TradeId, l.LineId }).ToListAsync(cancellationToken);
        var pastDeadline = await db.Jobs.AsNoTracking().CountAsync(j => j.Status == Job.Pending && j.Deadline < now, cancellationToken);
        var gaveUp = await db.Jobs.AsNoTracking().CountAsync(j => j.Status == Job.Failed, cancellationToken);
        var attention = await db.TradeLines.AsNoTracking().CountAsync(l => l.Status == LineStatus.NeedsAttention, cancellationToken);
        var oldest = await db.Jobs.AsNoTracking().Where(j => j.Status == Job.Pending && j.RunAt < now).OrderBy(j => j.RunAt).Take(10)
            .Select(j => new JobView(j.JobId, j.Kind, j.TradeId, j.LineId, j.Status, j.Attempts, j.RunAt, j.Deadline, j.LastError))
            .ToListAsync(cancellationToken);
        var money = await db.Set<MoneyDaily>().AsNoTracking().Where(m => m.Day == today).GroupBy(m => new { m.Provider, m.Kind })
            .Select(g => new { g.Key.Provider, g.Key.Kind, Fen = g.Sum(m => m.Fen) }).ToListAsync(cancellationToken);

        // Refunds the provider has not confirmed, whatever day they were asked: few, read through ix_refunds_unconfirmed.
        var refunding = await db.Refunds.AsNoTracking().Where(r => r.Status == Refund.Requested)
            .Join(db.Payments, r => r.TradeId, p => p.TradeId, (r, p) => new { p.Provider, r.AmountFen })
            .GroupBy(r => r.Provider).Select(g => new { Provider = g.Key, Fen = g.Sum(r => r.AmountFen) })
            .ToListAsync(cancellationToken);
        long Fen(string provider, string kind) => money.Where(m => m.Provider == provider && m.Kind == kind).Sum(m => m.Fen);
        var providers = money.Where(m => m.Fen != 0).Select(m => m.Provider).Union(refunding.Select(r => r.Provider)).Order().ToList();
        var byProvider = providers.ToDictionary(name => name, name => new ProviderMoney(
            Money.ToWire(Fen(name, MoneyKinds.Paid)),
            Money.ToWire(refunding.Where(r => r.Provider == name).Sum(r => r.Fen)),
            Money.ToWire(Fen(name, MoneyKinds.Refunded))));
        var taken = money.Where(m => m.Kind == MoneyKinds.Paid).Sum(m => m.Fen);
        var refunded = money.Where(m => m.Kind == MoneyKinds.Refunded).Sum(m => m.Fen);
        var machines = byMachine.GroupBy(m => m.MachineNo).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new MachineSummaryView(g.Key, g.ToDictionary(x => x.Status, x => (int)x.Count),
                dispensing.FirstOrDefault(d => d.MachineNo == g.Key) is { } d ? $"{d.TradeId}/{d.LineId}" : null))
            .ToList();
        var summary = new Summary(now, byStatus.ToDictionary(s => s.Status, s => (int)s.Count), machines,
            new StuckWork(pastDeadline, gaveUp, attention, oldest), new MoneyToday(Money.ToWire(taken), Money.ToWire(refunded), Trade.DefaultCurrency) { ByProvider = byProvider });

        // Fleet alerts (issue 13): counted from their own tables, apart from the trade counts above.
        return summary with { Alerts = await alerts.CountsAsync(cancellationToken) };
    }

    public async Task<IReadOnlyList<JobView>> JobsAsync(string status, CancellationToken cancellationToken) =>
        status is not (Job.Pending or Job.Done or Job.Failed)
            ? throw ApiProblem.Validation("status must be pending, done or failed.")
            : await trades.Db.Jobs.AsNoTracking().Where(j => j.Status == status).OrderByDescending(j => j.UpdatedAt).Take(200)
            .Select(j => new JobView(j.JobId, j.Kind, j.TradeId, j.LineId, j.Status, j.Attempts, j.RunAt, j.Deadline, j.LastError))
            .ToListAsync(cancellationToken);

    public async Task RetryJobAsync(long jobId, CancellationToken cancellationToken)
    {
        if (!await jobs.RequeueAsync(jobId, TimeSpan.FromHours(1), cancellationToken))
        {
            throw new ApiProblem(409, "job_not_failed", "Only a job that gave up can be retried.");
        }
    }
}

/// <summary>The kinds of rows in <c>money_daily</c> (migration 0006).</summary>
public static class MoneyKinds
{
    public const string Paid = "paid";
    public const string Refunded = "refunded";
}
