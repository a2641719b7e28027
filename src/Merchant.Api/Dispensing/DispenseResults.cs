using Merchant.Api.Catalog;
using Merchant.Api.Hosting;
using Merchant.Api.Payments;
using Merchant.Api.Telemetry;
using Merchant.Api.Trades;
using Merchant.Domain;
using Microsoft.Extensions.Options;

namespace Merchant.Api.Dispensing;

public enum DispenseOutcome
{
    Dispensed,
    Failed,

    /// <summary>The platform gave up on the device (IS_TIMEOUT); refunded or escalated by policy.</summary>
    TimedOut,

    /// <summary>No trustworthy answer: a person decides (DESIGN §2 rule 7).</summary>
    Unknown,
}

/// <summary>
/// Applies a line's result, whoever learned it (callback, poll, ops reconcile): records it, asks for the refund
/// a failure earns, settles the trade, and lets the machine take its next line.
/// </summary>
public sealed partial class DispenseResults(
    TradeStore trades, Dispatcher dispatcher, Jobs.JobExecutor executor, CatalogService catalog, TimeProvider clock,
    IOptions<DispenseOptions> options, IOptions<PaymentsOptions> payments, ILogger<DispenseResults> logger)
{
    /// <summary>Returns what happened, for the timeline and the callback inbox.</summary>
    public async Task<string> ApplyAsync(string tradeId, int lineId, DispenseOutcome outcome, string? reason, string actor,
        CancellationToken cancellationToken)
    {
        var result = "applied";
        var trade = await trades.ChangeAsync(tradeId, actor, trade => result = Apply(trade, lineId, outcome, reason, actor), cancellationToken);
        if (trade is null)
        {
            return "unknown_trade";
        }

        await FollowUpAsync(trade, lineId, outcome, result, cancellationToken);
        return result;
    }

    /// <summary>
    /// Records a line's result on a trade the caller holds locked (inside its transaction): the refund a failure earns,
    /// the trade settled. Returns applied, duplicate or conflict. Call <see cref="FollowUpAsync"/> after the commit.
    /// </summary>
    public string Apply(Trade trade, int lineId, DispenseOutcome outcome, string? reason, string actor)
    {
        var now = clock.GetUtcNow();
        var line = trade.Line(lineId);
        string result;
        try
        {
            var changed = outcome switch
            {
                DispenseOutcome.Dispensed => trade.RecordDispenseResult(lineId, dispensed: true, null, now),
                DispenseOutcome.Failed => trade.RecordDispenseResult(lineId, dispensed: false, reason, now),
                DispenseOutcome.TimedOut when options.Value.RefundOnTimeout =>
                    trade.RecordDispenseResult(lineId, dispensed: false, reason ?? "IS_TIMEOUT: the device did not report", now),
                _ => Escalate(trade, line, reason ?? "dispense result unknown", now),
            };
            result = changed ? "applied" : "duplicate";
        }
        catch (InvalidTransitionException e)
        {
            // Callbacks arrive late, twice or out of order; a result that contradicts a settled line changes nothing.
            trades.Note(trade.TradeId, "conflict", actor, $"line {lineId}: {outcome} ignored: {e.Message}", "ignored", lineId);
            LogConflict(logger, trade.TradeId, lineId, outcome.ToString(), line.Status.ToWire());
            return "conflict";
        }

        if (line.Status == LineStatus.Failed && trade.Kind == TradeKind.Purchase)
        {
            Refunds.Request(trades.Db, trade, line, line.FailureReason ?? "dispense failed", now, payments.Value.RefundDeadline);
        }

        trade.Settle(now);
        return result;
    }

    /// <summary>After the commit of <see cref="Apply"/>: counts it, and lets the machine take its next line.</summary>
    public async Task FollowUpAsync(Trade trade, int lineId, DispenseOutcome outcome, string result, CancellationToken cancellationToken)
    {
        MerchantTelemetry.Dispenses.Add(1, MerchantTelemetry.Tag("outcome", outcome.ToString()), MerchantTelemetry.Tag("result", result));
        if (result == "applied")
        {
            LogApplied(logger, trade.TradeId, lineId, outcome.ToString(), trade.MachineNo);
            catalog.Invalidate(trade.MachineNo);
            // A trade's last result: one statement asks whether anything else waits for this machine before a dispatch
            // (transaction, lock, three reads) is spent on finding nothing, as it would for most trades.
            if (trade.Lines.All(l => l.Status != LineStatus.Pending)
                && !await dispatcher.AnythingWaitingAsync(trade.MachineNo, cancellationToken))
            {
                return;
            }

            // The customer waits at the machine for the next item: its command is written leased to this instance and
            // started at once, not handed to the queue (commit, NOTIFY, claim), as the first item is (ConfirmPaidHandler).
            // A crash leaves it to a worker when the lease runs out.
            if (!executor.RunsJobs)
            {
                await dispatcher.DispatchAsync(trade.MachineNo, cancellationToken);
            }
            else if (await dispatcher.DispatchAsync(trade.MachineNo, cancellationToken, runner: executor) is { } next)
            {
                executor.Start(next);
            }
        }
    }

    private static bool Escalate(Trade trade, TradeLine line, string reason, DateTimeOffset now)
    {
        if (line.Status == LineStatus.NeedsAttention)
        {
            return false;
        }

        trade.EscalateLine(line.LineId, reason, now);
        return true;
    }

    [LoggerMessage(1, LogLevel.Information, "Trade {TradeId} line {LineId}: {Outcome} (machine {MachineNo})")]
    private static partial void LogApplied(ILogger logger, string tradeId, int lineId, string outcome, string machineNo);

    [LoggerMessage(2, LogLevel.Warning, "Trade {TradeId} line {LineId}: {Outcome} contradicts status {Status}; ignored")]
    private static partial void LogConflict(ILogger logger, string tradeId, int lineId, string outcome, string status);
}
