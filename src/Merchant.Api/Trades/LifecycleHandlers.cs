using System.Diagnostics;
using System.Globalization;
using Merchant.Api.Catalog;
using Merchant.Api.Dispensing;
using Merchant.Api.Jobs;
using Merchant.Api.Payments;
using Merchant.Api.Persistence;
using Merchant.Api.Telemetry;
using Merchant.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Vending.Platform;

namespace Merchant.Api.Trades;

/// <summary>Tells the platform a trade is paid (PUT status 1), then lets the machine start; a refusal refunds in full.</summary>
public sealed partial class ConfirmPaidHandler(
    TradeStore trades, IPlatformApi platform, Dispatcher dispatcher, JobExecutor executor, TimeProvider clock,
    IOptions<PaymentsOptions> payments, ILogger<ConfirmPaidHandler> logger) : IJobHandler
{
    public async Task<JobOutcome> HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        var trade = await trades.FindAsync(job.RequiredTradeId, cancellationToken);
        if (trade is not { Status: TradeStatus.Paid })
        {
            return JobOutcome.Done;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            await platform.UpdateOrderAsync(new UpdateOrderRequest(trade.MachineNo, trade.PlatformOrderId!.Value, OrderUpdateStatus.Paid), cancellationToken);
            await ConfirmedAsync(trade, "accepted", started, cancellationToken);
            return JobOutcome.Done;
        }
        catch (PlatformException e) when (e.Category == PlatformErrorCategory.OrderExpired)
        {
            await RefuseAsync(trade.TradeId, $"the platform refused the payment: order expired ({e.Code})", started, cancellationToken);
            return JobOutcome.Done;
        }
        catch (PlatformException e) when (e.Category == PlatformErrorCategory.OrderStatusInvalid || e.OutcomeUnknown)
        {
            // An earlier attempt may have succeeded (then 40006 only means "already paid"): ask which.
            PlatformOrder order;
            try
            {
                order = await platform.GetOrderAsync(new QueryOrderRequest(trade.MachineNo, trade.PlatformOrderId!.Value), cancellationToken);
            }
            catch (PlatformException query)
            {
                return JobOutcome.Retry($"confirm: {e.Category}; query: {query.Category}");
            }

            if (order.Status == PlatformOrderStatus.Success)
            {
                await ConfirmedAsync(trade, "already paid on the platform", started, cancellationToken);
                return JobOutcome.Done;
            }

            if (order.Status == PlatformOrderStatus.NotPay && e.OutcomeUnknown)
            {
                return JobOutcome.Retry($"confirm outcome unknown ({e.Category}); order still NOTPAY");
            }

            await RefuseAsync(trade.TradeId, $"the platform refused the payment: order is {order.Status} ({e.Code})", started, cancellationToken);
            return JobOutcome.Done;
        }
        catch (PlatformException e)
        {
            LogConfirmFailed(logger, trade.TradeId, e.Category, e.Code);
            return JobOutcome.Retry($"{e.Category} ({e.Code}): {e.PlatformMessage}");
        }
    }

    public async Task OnDeadlineAsync(JobContext job, string lastError, CancellationToken cancellationToken) =>
        await RefuseAsync(job.RequiredTradeId, $"the platform could not be told of the payment before its cut-off: {lastError}",
            Stopwatch.GetTimestamp(), cancellationToken);

    private async Task ConfirmedAsync(Trade trade, string outcome, long started, CancellationToken cancellationToken)
    {
        await trades.ChangeAsync(trade.TradeId, Actors.Worker, t =>
        {
            trades.Note(t.TradeId, "platform_call", Actors.Worker, "mark order paid (PUT status 1)", outcome, startedTimestamp: started);
            t.ConfirmWithPlatform(clock.GetUtcNow());
        }, cancellationToken);

        // The customer is waiting at the machine: when it is free, send the first item from here instead of through
        // the queue (the job is written and leased to us first, so a crash leaves it to a worker as usual).
        if (await dispatcher.DispatchAsync(trade.MachineNo, cancellationToken, runner: executor) is { } dispense)
        {
            await executor.RunAsync(dispense, cancellationToken);
        }
    }

    private async Task RefuseAsync(string tradeId, string reason, long started, CancellationToken cancellationToken) =>
        await trades.ChangeAsync(tradeId, Actors.Worker, t =>
        {
            var now = clock.GetUtcNow();
            trades.Note(t.TradeId, "platform_call", Actors.Worker, "mark order paid (PUT status 1)", reason, startedTimestamp: started);
            if (t.Status != TradeStatus.Paid)
            {
                return;
            }

            foreach (var line in t.RefundInFull(TradeTrigger.PlatformRefused, reason, now))
            {
                Refunds.Request(trades.Db, t, line, reason, now, payments.Value.RefundDeadline);
            }
        }, cancellationToken);

    [LoggerMessage(1, LogLevel.Warning, "Trade {TradeId}: telling the platform of the payment failed: {Category} ({Code}); will retry")]
    private static partial void LogConfirmFailed(ILogger logger, string tradeId, PlatformErrorCategory category, int code);
}

/// <summary>Closes a platform order nobody will pay (PUT status 3); the platform sends no callback for it.</summary>
public sealed class CloseOrderHandler(TradeStore trades, IPlatformApi platform, CatalogService catalog) : IJobHandler
{
    public async Task<JobOutcome> HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        var trade = await trades.FindAsync(job.RequiredTradeId, cancellationToken);
        var orderId = trade?.PlatformOrderId
            ?? (long.TryParse(job.Payload, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : (long?)null);
        if (trade is null || orderId is null)
        {
            return JobOutcome.Done;
        }

        var started = Stopwatch.GetTimestamp();
        string outcome;
        try
        {
            await platform.UpdateOrderAsync(new UpdateOrderRequest(trade.MachineNo, orderId.Value, OrderUpdateStatus.Closed), cancellationToken);
            outcome = "closed";
        }
        catch (PlatformException e) when (e.Category is PlatformErrorCategory.OrderExpired or PlatformErrorCategory.OrderStatusInvalid or PlatformErrorCategory.NotFound)
        {
            // Already expired or closed on the platform: the stock is back either way.
            outcome = $"already closed ({e.Code})";
        }
        catch (PlatformException e)
        {
            return JobOutcome.Retry($"{e.Category} ({e.Code}): {e.PlatformMessage}");
        }

        await trades.ChangeAsync(trade.TradeId, Actors.Worker, t =>
            trades.Note(t.TradeId, "platform_call", Actors.Worker, "close order (PUT status 3)", outcome, startedTimestamp: started), cancellationToken);
        catalog.Invalidate(trade.MachineNo);
        return JobOutcome.Done;
    }

    // The platform invalidates an unpaid order by itself after 20 minutes; nothing is left to do.
    public Task OnDeadlineAsync(JobContext job, string lastError, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// Expires a trade whose payment window passed unpaid (DESIGN §2 rule 3). The provider's payment is closed first and its
/// answer applied: a payment made in time whose news had not reached us is kept; one made after the close is impossible.
/// </summary>
public sealed class ExpireTradeHandler(TradeStore trades, TradeService service, PaymentProviders providers, PaymentService payments,
    TimeProvider clock) : IJobHandler
{
    public async Task<JobOutcome> HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        var trade = await trades.FindAsync(job.RequiredTradeId, cancellationToken);
        if (trade is not { Status: TradeStatus.AwaitingPayment } || trade.PayBefore > clock.GetUtcNow())
        {
            return JobOutcome.Done;
        }

        var payment = await MerchantDbContext.PaymentOfReadOnly(trades.Db, trade.TradeId, cancellationToken);
        if (payment is { Status: Payment.Pending or Payment.Failed })
        {
            var provider = providers.Of(payment);
            var started = Stopwatch.GetTimestamp();
            PaymentState state;
            try
            {
                state = await provider.CloseAsync(payment.Ref, cancellationToken);
            }
            catch (PaymentProviderException e)
            {
                return JobOutcome.Retry(e.Message, TimeSpan.FromSeconds(5));
            }

            trades.Note(trade.TradeId, "payment_call", Actors.Worker, $"{provider.Name} close payment at pay_before", state.Status.ToString(), startedTimestamp: started);
            await payments.ApplyPaymentAsync(provider.Name, state, "close at pay_before", cancellationToken);
        }

        await ExpireAsync(job.RequiredTradeId, cancellationToken);
        return JobOutcome.Done;
    }

    // The provider could not be reached in time: the trade expires anyway; a payment arriving later is refunded as late.
    public Task OnDeadlineAsync(JobContext job, string lastError, CancellationToken cancellationToken) => ExpireAsync(job.RequiredTradeId, cancellationToken);

    private async Task ExpireAsync(string tradeId, CancellationToken cancellationToken) =>
        await trades.ChangeAsync(tradeId, Actors.Worker, trade =>
        {
            if (trade.Status == TradeStatus.AwaitingPayment && trade.PayBefore <= clock.GetUtcNow())
            {
                service.CloseUnpaid(trade, expire: true);
            }
        }, cancellationToken);
}

/// <summary>
/// A checkout died during create-order: the order may or may not exist on the platform and cannot be found
/// without its id, so the trade is rejected; an orphan order expires by itself within 20 minutes.
/// </summary>
public sealed class CreateOrderRecoveryHandler(TradeStore trades, TimeProvider clock) : IJobHandler
{
    public async Task<JobOutcome> HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        await trades.ChangeAsync(job.RequiredTradeId, Actors.Worker, trade =>
        {
            if (trade.Status == TradeStatus.Created)
            {
                trade.Reject("checkout interrupted while creating the platform order", clock.GetUtcNow());
            }
        }, cancellationToken);
        return JobOutcome.Done;
    }

    public Task OnDeadlineAsync(JobContext job, string lastError, CancellationToken cancellationToken) => Task.CompletedTask;
}
