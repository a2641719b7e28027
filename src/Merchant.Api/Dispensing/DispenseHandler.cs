using System.Diagnostics;
using Merchant.Api.Hosting;
using Merchant.Api.Jobs;
using Merchant.Api.Trades;
using Merchant.Domain;
using Microsoft.Extensions.Options;
using Vending.Platform;

namespace Merchant.Api.Dispensing;

/// <summary>
/// Sends one line's dispense command — at most once, ever (DESIGN §2 rule 6). A command whose fate is unknown
/// is never repeated: the line is verified through query-order instead.
/// </summary>
public sealed partial class DispenseHandler(
    TradeStore trades, IPlatformApi platform, DispenseResults results, TimeProvider clock,
    IOptions<DispenseOptions> options, ILogger<DispenseHandler> logger) : IJobHandler
{
    private static readonly TimeSpan VerifyAfter = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RefusedRetry = TimeSpan.FromSeconds(2);

    public async Task<JobOutcome> HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        var trade = await trades.FindAsync(job.RequiredTradeId, cancellationToken);
        var line = trade?.Lines.SingleOrDefault(l => l.LineId == job.LineId);
        if (trade is null || line is null || line.Status != LineStatus.Dispensing || line.DeliveryId is not null)
        {
            return JobOutcome.Done;
        }

        if (job.MaybeSentBefore)
        {
            await VerifyLaterAsync(trade, line, "an earlier attempt may have sent the command", cancellationToken);
            return JobOutcome.Done;
        }

        await job.MarkSendingAsync(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await platform.DispenseAsync(new DispenseRequest(trade.MachineNo, trade.PlatformOrderId!.Value, line.PlatformRecordId!.Value), cancellationToken);
            await trades.ChangeAsync(trade.TradeId, Actors.Worker, t =>
            {
                t.RecordDelivery(line.LineId, string.IsNullOrEmpty(result.DeliveryId) ? "unknown" : result.DeliveryId);
                trades.Note(t.TradeId, "platform_call", Actors.Worker, $"dispense line {line.LineId}", $"accepted, delivery {result.DeliveryId}", line.LineId, started);
                // The callback should settle it sooner; this poll is the fallback when it never comes.
                trades.Db.Enqueue(JobKinds.Poll, clock.GetUtcNow(), options.Value.AttentionAfter + TimeSpan.FromMinutes(30), t.TradeId, line.LineId,
                    runAt: clock.GetUtcNow() + options.Value.ResultTimeout, dedupeKey: $"poll:{t.TradeId}:{line.LineId}");
            }, cancellationToken);
            LogSent(logger, trade.TradeId, line.LineId, trade.MachineNo, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return JobOutcome.Done;
        }
        catch (PlatformException e)
        {
            return await RefusedAsync(job, trade, line, e, started, cancellationToken);
        }
    }

    public async Task OnDeadlineAsync(JobContext job, string lastError, CancellationToken cancellationToken)
    {
        // Every attempt was refused before reaching the machine (or we would have verified instead): the line never started.
        await results.ApplyAsync(job.RequiredTradeId, job.RequiredLineId, DispenseOutcome.Failed,
            $"not dispensed: {lastError}", Actors.Worker, cancellationToken);
    }

    private async Task<JobOutcome> RefusedAsync(JobContext job, Trade trade, TradeLine line, PlatformException e, long started,
        CancellationToken cancellationToken)
    {
        await trades.ChangeAsync(trade.TradeId, Actors.Worker, t => trades.Note(t.TradeId, "platform_call", Actors.Worker,
            $"dispense line {line.LineId}", $"{e.Category} ({e.Code}){(e.OutcomeUnknown ? ", outcome unknown" : "")}: {e.PlatformMessage}", line.LineId, started),
            cancellationToken);
        LogRefused(logger, trade.TradeId, line.LineId, e.Category, e.Code, e.OutcomeUnknown);
        if (e.OutcomeUnknown || e.Category == PlatformErrorCategory.OrderStatusInvalid)
        {
            // The machine may have the command (or already had it): find out, never resend.
            await VerifyLaterAsync(trade, line, e.Message, cancellationToken);
            return JobOutcome.Done;
        }

        return e.Category switch
        {
            // Refused before reaching the machine: sending later is safe, until the send deadline.
            PlatformErrorCategory.MachineBusy or PlatformErrorCategory.MachineOffline or PlatformErrorCategory.OrderUnpaid
                or PlatformErrorCategory.Transient or PlatformErrorCategory.Auth =>
                JobOutcome.Retry($"{e.Category}: {e.PlatformMessage}", e.Category == PlatformErrorCategory.MachineBusy ? RefusedRetry : null, notSent: true),
            _ => await NeverStartedAsync(job, e, cancellationToken),
        };
    }

    private async Task<JobOutcome> NeverStartedAsync(JobContext job, PlatformException e, CancellationToken cancellationToken)
    {
        await results.ApplyAsync(job.RequiredTradeId, job.RequiredLineId, DispenseOutcome.Failed,
            $"not dispensed: platform refused ({e.Category}): {e.PlatformMessage}", Actors.Worker, cancellationToken);
        return JobOutcome.Done;
    }

    private async Task VerifyLaterAsync(Trade trade, TradeLine line, string why, CancellationToken cancellationToken) =>
        await trades.ChangeAsync(trade.TradeId, Actors.Worker, t =>
        {
            var now = clock.GetUtcNow();
            trades.Note(t.TradeId, "note", Actors.Worker, $"line {line.LineId}: command outcome unknown ({why}); verifying with the platform", null, line.LineId);
            trades.Db.Enqueue(JobKinds.Poll, now, options.Value.AttentionAfter + TimeSpan.FromMinutes(30), t.TradeId, line.LineId,
                runAt: now + VerifyAfter, dedupeKey: $"poll:{t.TradeId}:{line.LineId}");
        }, cancellationToken);

    [LoggerMessage(1, LogLevel.Information, "Trade {TradeId} line {LineId}: dispense command accepted by machine {MachineNo} in {ElapsedMs:0.0} ms")]
    private static partial void LogSent(ILogger logger, string tradeId, int lineId, string machineNo, double elapsedMs);

    [LoggerMessage(2, LogLevel.Warning, "Trade {TradeId} line {LineId}: dispense refused: {Category} ({Code}), outcome unknown: {OutcomeUnknown}")]
    private static partial void LogRefused(ILogger logger, string tradeId, int lineId, PlatformErrorCategory category, int code, bool outcomeUnknown);
}
