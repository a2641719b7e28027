using System.Diagnostics;
using Merchant.Api.Catalog;
using Merchant.Api.Checkouts;
using Merchant.Api.Dispensing;
using Merchant.Api.Errors;
using Merchant.Api.Jobs;
using Merchant.Api.PlatformNotify;
using Merchant.Api.Trades;
using Merchant.Domain;
using Microsoft.EntityFrameworkCore;
using Vending.Platform;

namespace Merchant.Api.Pickups;

/// <summary>A customer redeems a pickup code (DESIGN §2 rule 9).</summary>
public sealed record PickupRequest(string? MachineNo, long ProductId, string? Code);

/// <summary>
/// Pickup codes: consume on the platform, then dispense; no payment and no refunds. Consuming is safe to
/// repeat for recovery, because a used code answers with the order it produced (10025 + order_id).
/// </summary>
public sealed partial class PickupService(
    TradeStore trades,
    IPlatformApi platform,
    NotifyTokens tokens,
    PublicUrls urls,
    TradeIds ids,
    Dispatcher dispatcher,
    CatalogService catalog,
    TimeProvider clock,
    ILogger<PickupService> logger)
{
    public async Task<TradeResponse> RedeemAsync(PickupRequest request, CancellationToken cancellationToken)
    {
        CheckoutValidation.MachineNo(request.MachineNo);
        if (request.ProductId <= 0)
        {
            throw ApiProblem.Validation("product_id must be positive.");
        }

        if (string.IsNullOrEmpty(request.Code) || request.Code.Length is < 4 or > 32 || !request.Code.All(char.IsAsciiLetterOrDigit))
        {
            throw ApiProblem.Validation("code must be the 4–32 letters or digits printed on the pickup code.");
        }

        var db = trades.Db;
        var now = clock.GetUtcNow();
        var trade = Trade.NewPickup(await ids.NextAsync(now, cancellationToken), request.MachineNo!, request.ProductId, request.Code, now);
        var job = db.EnqueueClaimed(JobKinds.ConsumePickup, now, TimeSpan.FromMinutes(10), trade.TradeId, "pickup");
        db.Trades.Add(trade);
        trades.Note(trade.TradeId, "request", Actors.Storefront, $"pickup code for product {request.ProductId} at machine {request.MachineNo}");
        await trades.SaveAsync(trade, Actors.Storefront, cancellationToken);

        var started = Stopwatch.GetTimestamp();
        try
        {
            var order = await Consume(trade, cancellationToken);
            trades.Note(trade.TradeId, "platform_call", Actors.Storefront, "consume pickup code", $"order {order.OrderId}", startedTimestamp: started);
            Start(trade, order, clock.GetUtcNow());
            job.Status = Job.Done;
            await trades.SaveAsync(trade, Actors.Storefront, cancellationToken);
        }
        catch (PlatformException e)
        {
            trades.Note(trade.TradeId, "platform_call", Actors.Storefront, "consume pickup code", $"failed: {e.Category} ({e.Code})", startedTimestamp: started);
            if (e.OutcomeUnknown)
            {
                // The code may be consumed: the job tries again and recovers the order through 10025.
                job.LeaseUntil = null;
                job.RunAt = clock.GetUtcNow() + TimeSpan.FromSeconds(2);
                job.SentAt = null;
                await trades.SaveAsync(trade, Actors.Storefront, CancellationToken.None);
                throw e.ToProblem().With("trade_id", trade.TradeId);
            }

            var problem = await ProblemFor(e, cancellationToken);
            trade.Reject(problem.Code, clock.GetUtcNow());
            job.Status = Job.Done;
            await trades.SaveAsync(trade, Actors.Storefront, CancellationToken.None);
            LogRefused(logger, trade.TradeId, request.MachineNo!, e.Category, e.Code);
            throw problem.With("trade_id", trade.TradeId);
        }

        catalog.Invalidate(trade.MachineNo);
        await dispatcher.DispatchAsync(trade.MachineNo, cancellationToken);
        return await trades.FindAsync(trade.TradeId, cancellationToken) is { } saved ? saved.ToResponse(null) : trade.ToResponse(null);
    }

    /// <summary>Consumes the code; a 10025 naming an order of this very trade (an earlier attempt of ours) counts as success.</summary>
    public async Task<PlatformOrder> Consume(Trade trade, CancellationToken cancellationToken)
    {
        try
        {
            return await platform.ConsumePickupCodeAsync(new ConsumePickupCodeRequest(
                trade.MachineNo, trade.PickupCode!, trade.Lines[0].ProductId, urls.NotifyUrl(tokens.For(trade.TradeId)), trade.TradeId), cancellationToken);
        }
        catch (PlatformException e) when (e.Category == PlatformErrorCategory.PickupCodeUsed && e.EarlierOrderId is { } earlier)
        {
            var order = await platform.GetOrderAsync(new QueryOrderRequest(trade.MachineNo, earlier), cancellationToken);
            if (order.TradeId == trade.TradeId)
            {
                return order;
            }

            throw;
        }
    }

    public static void Start(Trade trade, PlatformOrder order, DateTimeOffset now) =>
        trade.StartPickup(order.OrderId, [.. order.Records.Select(r => new PlatformRecord(r.RecordId, r.ProductId, r.Quantity, r.PriceFen))],
            order.AmountFen, now);

    private async Task<ApiProblem> ProblemFor(PlatformException e, CancellationToken cancellationToken)
    {
        switch (e.Category)
        {
            case PlatformErrorCategory.PickupCodeUsed:
                var earlierTrade = e.EarlierOrderId is { } orderId
                    ? await trades.Db.Trades.AsNoTracking().Where(t => t.PlatformOrderId == orderId).Select(t => t.TradeId).FirstOrDefaultAsync(cancellationToken)
                    : null;
                return new ApiProblem(409, "pickup_code_used", "This pickup code was already used.",
                        earlierTrade is null ? "It was redeemed earlier." : $"It was redeemed by trade {earlierTrade}.")
                    .With("earlier_trade_id", earlierTrade)
                    .With("earlier_order_id", e.EarlierOrderId);
            case PlatformErrorCategory.NotFound or PlatformErrorCategory.Validation or PlatformErrorCategory.OffSale:
                return new ApiProblem(422, "pickup_code_invalid", "This pickup code is not valid for this product and machine.");
            default:
                return e.ToProblem();
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Pickup trade {TradeId} at machine {MachineNo} refused: {Category} ({Code})")]
    private static partial void LogRefused(ILogger logger, string tradeId, string machineNo, PlatformErrorCategory category, int code);
}

/// <summary>Finishes a pickup whose consume call had no definitive answer.</summary>
public sealed class ConsumePickupHandler(TradeStore trades, PickupService pickups, Dispatcher dispatcher, TimeProvider clock) : IJobHandler
{
    public async Task<JobOutcome> HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        var trade = await trades.FindAsync(job.RequiredTradeId, cancellationToken);
        if (trade is not { Status: TradeStatus.Created })
        {
            return JobOutcome.Done;
        }

        PlatformOrder order;
        try
        {
            order = await pickups.Consume(trade, cancellationToken);
        }
        catch (PlatformException e) when (e.IsTransient)
        {
            return JobOutcome.Retry($"{e.Category} ({e.Code})");
        }
        catch (PlatformException e)
        {
            await RejectAsync(trade.TradeId, $"pickup refused: {e.Category} ({e.Code})", cancellationToken);
            return JobOutcome.Done;
        }

        var started = await trades.ChangeAsync(trade.TradeId, Actors.Worker, t =>
        {
            if (t.Status == TradeStatus.Created)
            {
                PickupService.Start(t, order, clock.GetUtcNow());
            }
        }, cancellationToken);
        await dispatcher.DispatchAsync(started!.MachineNo, cancellationToken);
        return JobOutcome.Done;
    }

    public Task OnDeadlineAsync(JobContext job, string lastError, CancellationToken cancellationToken) =>
        RejectAsync(job.RequiredTradeId, $"pickup could not be confirmed: {lastError}", cancellationToken);

    private Task RejectAsync(string tradeId, string reason, CancellationToken cancellationToken) =>
        trades.ChangeAsync(tradeId, Actors.Worker, t =>
        {
            if (t.Status == TradeStatus.Created)
            {
                t.Reject(reason, clock.GetUtcNow());
            }
        }, cancellationToken);
}
