using Merchant.Api.Dispensing;
using Merchant.Api.Errors;
using Merchant.Api.Hosting;
using Merchant.Api.Jobs;
using Merchant.Api.Payments;
using Merchant.Api.Trades;
using Merchant.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Vending.Platform;

namespace Merchant.Api.Ops;

public sealed class OpsService(
    TradeStore trades, TradeService tradeService, IPlatformApi platform, DispenseResults results, JobStore jobs,
    Fleet.AlertService alerts, TimeProvider clock, IOptions<DispenseOptions> dispense, IOptions<PaymentsOptions> payments)
{
    private const int PageSize = 50;
    private const int MaxPage = 100_000;

    public async Task<TradePage> ListAsync(string? status, string? machineNo, DateTimeOffset? from, DateTimeOffset? to, int page,
        CancellationToken cancellationToken)
    {
        var query = trades.Db.Trades.AsNoTracking();
        if (!string.IsNullOrEmpty(status))
        {
            if (!StatusNames.TryParseTrade(status, out var parsed))
            {
                throw ApiProblem.Validation($"Unknown status '{status}'.");
            }

            query = query.Where(t => t.Status == parsed);
        }

        if (!string.IsNullOrEmpty(machineNo))
        {
            Checkouts.CheckoutValidation.MachineNo(machineNo);
            query = query.Where(t => t.MachineNo == machineNo);
        }

        if (from is { } f)
        {
            var fromUtc = f.ToUniversalTime();
            query = query.Where(t => t.CreatedAt >= fromUtc);
        }

        if (to is { } t2)
        {
            var toUtc = t2.ToUniversalTime();
            query = query.Where(t => t.CreatedAt < toUtc);
        }

        if (page is < 1 or > MaxPage)
        {
            throw ApiProblem.Validation($"page must be between 1 and {MaxPage}.");
        }

        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.TradeId)
            .Skip((page - 1) * PageSize).Take(PageSize)
            .Include(t => t.Lines)
            .ToListAsync(cancellationToken);
        return new TradePage(
            [.. items.Select(t => new TradeSummary(t.TradeId, t.Kind.ToWire(), t.MachineNo, t.Status.ToWire(), Money.ToWire(t.AmountFen),
                Money.ToWire(t.RefundedFen), t.CreatedAt, t.UpdatedAt, t.Lines.Count))],
            page, PageSize, total);
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

    public async Task<Summary> SummaryAsync(CancellationToken cancellationToken)
    {
        var db = trades.Db;
        var now = clock.GetUtcNow();
        var dayStart = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var byStatus = await db.Trades.AsNoTracking().GroupBy(t => t.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var byMachine = await db.Trades.AsNoTracking()
            .Where(t => t.CreatedAt >= dayStart || !(t.Status == TradeStatus.Completed || t.Status == TradeStatus.Refunded
                || t.Status == TradeStatus.PartiallyRefunded || t.Status == TradeStatus.Cancelled || t.Status == TradeStatus.Expired || t.Status == TradeStatus.Rejected))
            .GroupBy(t => new { t.MachineNo, t.Status }).Select(g => new { g.Key.MachineNo, g.Key.Status, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var dispensing = await db.TradeLines.AsNoTracking().Where(l => l.Status == LineStatus.Dispensing)
            .Select(l => new { l.MachineNo, l.TradeId, l.LineId }).ToListAsync(cancellationToken);
        var pastDeadline = await db.Jobs.AsNoTracking().CountAsync(j => j.Status == Job.Pending && j.Deadline < now, cancellationToken);
        var gaveUp = await db.Jobs.AsNoTracking().CountAsync(j => j.Status == Job.Failed, cancellationToken);
        var attention = await db.TradeLines.AsNoTracking().CountAsync(l => l.Status == LineStatus.NeedsAttention, cancellationToken);
        var oldest = await db.Jobs.AsNoTracking().Where(j => j.Status == Job.Pending && j.RunAt < now).OrderBy(j => j.RunAt).Take(10)
            .Select(j => new JobView(j.JobId, j.Kind, j.TradeId, j.LineId, j.Status, j.Attempts, j.RunAt, j.Deadline, j.LastError))
            .ToListAsync(cancellationToken);
        var paid = await db.Payments.AsNoTracking().Where(p => p.Status == Payment.Succeeded && p.PaidAt >= dayStart)
            .GroupBy(p => p.Provider).Select(g => new { Provider = g.Key, Fen = g.Sum(p => p.PaidFen ?? p.AmountFen) }).ToListAsync(cancellationToken);
        var refunds = await db.Refunds.AsNoTracking()
            .Where(r => r.Status == Refund.Requested || (r.Status == Refund.Succeeded && r.CompletedAt >= dayStart))
            .Join(db.Payments, r => r.TradeId, p => p.TradeId, (r, p) => new { p.Provider, r.Status, r.AmountFen })
            .GroupBy(r => new { r.Provider, r.Status }).Select(g => new { g.Key.Provider, g.Key.Status, Fen = g.Sum(r => r.AmountFen) })
            .ToListAsync(cancellationToken);
        var taken = paid.Sum(p => p.Fen);
        var refunded = refunds.Where(r => r.Status == Refund.Succeeded).Sum(r => r.Fen);
        var byProvider = paid.Select(p => p.Provider).Union(refunds.Select(r => r.Provider)).Order().ToDictionary(name => name, name => new ProviderMoney(
            Money.ToWire(paid.Where(p => p.Provider == name).Sum(p => p.Fen)),
            Money.ToWire(refunds.Where(r => r.Provider == name && r.Status == Refund.Requested).Sum(r => r.Fen)),
            Money.ToWire(refunds.Where(r => r.Provider == name && r.Status == Refund.Succeeded).Sum(r => r.Fen))));
        var machines = byMachine.GroupBy(m => m.MachineNo).OrderBy(g => g.Key)
            .Select(g => new MachineSummaryView(g.Key, g.ToDictionary(x => x.Status.ToWire(), x => x.Count),
                dispensing.FirstOrDefault(d => d.MachineNo == g.Key) is { } d ? $"{d.TradeId}/{d.LineId}" : null))
            .ToList();
        var summary = new Summary(now, byStatus.ToDictionary(s => s.Key.ToWire(), s => s.Count), machines,
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
