using System.Diagnostics;
using Merchant.Api.Hosting;
using Merchant.Api.Jobs;
using Merchant.Api.Trades;
using Merchant.Domain;
using Microsoft.Extensions.Options;
using Vending.Platform;

namespace Merchant.Api.Dispensing;

/// <summary>
/// Settles a line from query-order, the platform's source of truth (DESIGN §2 rule 5), when no callback did.
/// A line still dispensing long after the device's 120 s fallback goes to needs_attention, never to a refund.
/// </summary>
public sealed class PollHandler(
    TradeStore trades, IPlatformApi platform, DispenseResults results, TimeProvider clock, IOptions<DispenseOptions> options) : IJobHandler
{
    public async Task<JobOutcome> HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        var trade = await trades.FindAsync(job.RequiredTradeId, cancellationToken);
        var line = trade?.Lines.SingleOrDefault(l => l.LineId == job.LineId);
        if (trade is null || line is null || line.Status != LineStatus.Dispensing)
        {
            return JobOutcome.Done;
        }

        var started = Stopwatch.GetTimestamp();
        PlatformOrder order;
        try
        {
            order = await platform.GetOrderAsync(new QueryOrderRequest(trade.MachineNo, trade.PlatformOrderId!.Value), cancellationToken);
        }
        catch (PlatformException e)
        {
            return JobOutcome.Retry($"query order: {e.Category} ({e.Code})", options.Value.PollInterval);
        }

        var record = order.Records.FirstOrDefault(r => r.RecordId == line.PlatformRecordId);
        var verdict = Judge(record?.Status, line, clock.GetUtcNow(), options.Value);
        await trades.ChangeAsync(trade.TradeId, Actors.Worker, t => trades.Note(t.TradeId, "platform_call", Actors.Worker,
            $"query order for line {line.LineId}", record is null ? "record missing" : record.Status.ToString(), line.LineId, started), cancellationToken);
        if (verdict is not { } outcome)
        {
            return JobOutcome.Retry($"line still {record?.Status}", options.Value.PollInterval);
        }

        await results.ApplyAsync(trade.TradeId, line.LineId, outcome.Outcome, outcome.Reason, Actors.Worker, cancellationToken);
        return JobOutcome.Done;
    }

    public async Task OnDeadlineAsync(JobContext job, string lastError, CancellationToken cancellationToken) =>
        await results.ApplyAsync(job.RequiredTradeId, job.RequiredLineId, DispenseOutcome.Unknown,
            $"result unknown: {lastError}", Actors.Worker, cancellationToken);

    /// <summary>What a record's status means for the line now; null while it is worth asking again.</summary>
    public static (DispenseOutcome Outcome, string? Reason)? Judge(RecordStatus? status, TradeLine line, DateTimeOffset now, DispenseOptions options)
    {
        switch (status)
        {
            case RecordStatus.IsSuccess or RecordStatus.IsPickedUp:
                return (DispenseOutcome.Dispensed, null);
            case RecordStatus.IsFailed:
                return (DispenseOutcome.Failed, "platform reports IS_FAILED");
            case RecordStatus.IsTimeout:
                return (DispenseOutcome.TimedOut, "platform reports IS_TIMEOUT");
            case RecordStatus.WaitingPickedUp when line.DeliveryId is null:
                // Our command's fate was unknown and the platform never started it: nothing left the machine.
                return (DispenseOutcome.Failed, "not dispensed: the command never reached the machine");
        }

        var overdue = line.DispatchedAt is { } dispatched && now - dispatched > options.AttentionAfter;
        return overdue
            ? (DispenseOutcome.Unknown, $"still {status?.ToString() ?? "unknown"} long after the device's 120 s timeout")
            : null;
    }
}
