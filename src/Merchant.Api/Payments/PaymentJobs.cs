using System.Diagnostics;
using Merchant.Api.Hosting;
using Merchant.Api.Jobs;
using Merchant.Api.Persistence;
using Merchant.Api.Trades;
using Merchant.Domain;
using Microsoft.EntityFrameworkCore;

namespace Merchant.Api.Payments;

/// <summary>Asks the provider for one line's refund under its deterministic key; the outcome may be confirmed later.</summary>
public sealed class RefundHandler(TradeStore trades, PaymentProviders providers, PaymentService payments, TimeProvider clock) : IJobHandler
{
    public async Task<JobOutcome> HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        var db = trades.Db;
        var key = Refund.KeyFor(job.RequiredTradeId, job.RequiredLineId);
        var refund = await db.Refunds.AsNoTracking().SingleOrDefaultAsync(r => r.RefundKey == key, cancellationToken);
        if (refund is null || refund.Status != Refund.Pending)
        {
            // Taken by the provider already: the refund query (or its notification) confirms it.
            return JobOutcome.Done;
        }

        var payment = await MerchantDbContext.PaymentOfReadOnly(db, job.RequiredTradeId, cancellationToken);
        if (payment is not { Status: Payment.Succeeded })
        {
            return JobOutcome.Retry("no succeeded payment to refund");
        }

        var provider = providers.Of(payment);
        var started = Stopwatch.GetTimestamp();
        RefundState state;
        try
        {
            state = await provider.RefundAsync(refund.ToRequest(payment), cancellationToken);
        }
        catch (PaymentProviderException e)
        {
            // The same key pays at most once: asking again is safe.
            await Note(job, $"{provider.Name} refund {key}", $"outcome unknown: {e.Message}", started, cancellationToken);
            return JobOutcome.Retry(e.Message);
        }

        await Note(job, $"{provider.Name} refund {key}", state.Status.ToString(), started, cancellationToken);
        if (state.Status == ProviderRefundStatus.Unknown)
        {
            return JobOutcome.Retry($"{provider.Name} has no record of refund {key} yet");
        }

        await payments.ApplyRefundAsync(provider.Name, job.RequiredTradeId, state, "refund answer", cancellationToken);
        return JobOutcome.Done;
    }

    public async Task OnDeadlineAsync(JobContext job, string lastError, CancellationToken cancellationToken) =>
        await trades.ChangeAsync(job.RequiredTradeId, Actors.Worker, trade =>
        {
            trades.Note(trade.TradeId, "refund", Actors.Worker, $"refund of line {job.RequiredLineId} gave up", lastError, job.LineId);
            if (job.RequiredLineId != Refund.WholePayment)
            {
                trade.RefundNotMade(job.RequiredLineId, $"refund could not be made: {lastError}", clock.GetUtcNow());
                trade.Settle(clock.GetUtcNow());
            }
        }, cancellationToken);

    private Task Note(JobContext job, string summary, string outcome, long started, CancellationToken cancellationToken) =>
        PaymentCalls.NoteAsync(trades, job, summary, outcome, started, cancellationToken);
}

/// <summary>Asks the provider about a refund it took and has not confirmed (the notification may never come).</summary>
public sealed class RefundQueryHandler(TradeStore trades, PaymentProviders providers, PaymentService payments, TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<PaymentsOptions> options) : IJobHandler
{
    public async Task<JobOutcome> HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        var db = trades.Db;
        var key = Refund.KeyFor(job.RequiredTradeId, job.RequiredLineId);
        var refund = await db.Refunds.AsNoTracking().SingleOrDefaultAsync(r => r.RefundKey == key, cancellationToken);
        var payment = await MerchantDbContext.PaymentOfReadOnly(db, job.RequiredTradeId, cancellationToken);
        if (refund is not { Status: Refund.Requested } || payment is null)
        {
            return JobOutcome.Done;
        }

        var provider = providers.Of(payment);
        var started = Stopwatch.GetTimestamp();
        RefundState state;
        try
        {
            state = await provider.QueryRefundAsync(refund.ToRequest(payment), cancellationToken);
        }
        catch (PaymentProviderException e)
        {
            return JobOutcome.Retry(e.Message, RefundQueries.After(job.Attempts, options.Value.RefundQueryFirstAfter));
        }

        if (state.Status is ProviderRefundStatus.Processing or ProviderRefundStatus.Unknown)
        {
            return JobOutcome.Retry($"refund {key} still {state.Status}", RefundQueries.After(job.Attempts, options.Value.RefundQueryFirstAfter));
        }

        await PaymentCalls.NoteAsync(trades, job, $"{provider.Name} query refund {key}", state.Status.ToString(), started, cancellationToken);
        await payments.ApplyRefundAsync(provider.Name, job.RequiredTradeId, state, "refund query", cancellationToken);
        return JobOutcome.Done;
    }

    public async Task OnDeadlineAsync(JobContext job, string lastError, CancellationToken cancellationToken) =>
        await trades.ChangeAsync(job.RequiredTradeId, Actors.Worker, trade =>
        {
            var now = clock.GetUtcNow();
            trades.Note(trade.TradeId, "refund", Actors.Worker, $"refund of line {job.RequiredLineId} not confirmed in time", lastError, job.LineId);
            if (job.RequiredLineId != Refund.WholePayment)
            {
                trade.RefundNotMade(job.RequiredLineId, $"refund not confirmed by the provider within {options.Value.RefundConfirmDeadline}", now);
                trade.Settle(now);
            }
        }, cancellationToken);
}

/// <summary>Asks the provider about a payment nobody has told us of yet (WECHATPAY §6.3: query is truth), on a back-off.</summary>
public sealed class PaymentQueryHandler(TradeStore trades, PaymentProviders providers, PaymentService payments, TimeProvider clock) : IJobHandler
{
    public async Task<JobOutcome> HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        var trade = await trades.FindAsync(job.RequiredTradeId, cancellationToken);
        var payment = await MerchantDbContext.PaymentOfReadOnly(trades.Db, job.RequiredTradeId, cancellationToken);
        if (trade is not { Status: TradeStatus.AwaitingPayment } || payment is not { Status: Payment.Pending or Payment.Failed })
        {
            return JobOutcome.Done;
        }

        var provider = providers.Of(payment);
        PaymentState state;
        try
        {
            state = await provider.QueryAsync(payment.Ref, cancellationToken);
        }
        catch (PaymentProviderException e)
        {
            return Again(trade, job, e.Message);
        }

        if (state.Status is ProviderPaymentStatus.Succeeded or ProviderPaymentStatus.Closed)
        {
            await payments.ApplyPaymentAsync(provider.Name, state, "query", cancellationToken);
            return JobOutcome.Done;
        }

        return Again(trade, job, $"payment still {state.Status}");
    }

    public Task OnDeadlineAsync(JobContext job, string lastError, CancellationToken cancellationToken) => Task.CompletedTask;

    // The expiry at pay_before asks (and closes) one last time; nothing to do here past it.
    private JobOutcome Again(Trade trade, JobContext job, string why)
    {
        var next = PaymentQueries.After(job.Attempts);
        return clock.GetUtcNow() + next >= trade.PayBefore ? JobOutcome.Done : JobOutcome.Retry(why, next);
    }
}

/// <summary>Closes the provider's payment of a trade that will not be paid (cancel, expiry), then the platform order.</summary>
public sealed class ClosePaymentHandler(TradeStore trades, PaymentProviders providers, PaymentService payments, TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<OrdersOptions> orders) : IJobHandler
{
    public async Task<JobOutcome> HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        var payment = await MerchantDbContext.PaymentOfReadOnly(trades.Db, job.RequiredTradeId, cancellationToken);
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
                return JobOutcome.Retry(e.Message);
            }

            await PaymentCalls.NoteAsync(trades, job, $"{provider.Name} close payment", state.Status.ToString(), started, cancellationToken);
            // Paid meanwhile: a late payment, refunded in full (WECHATPAY §6.3).
            await payments.ApplyPaymentAsync(provider.Name, state, "close", cancellationToken);
        }

        await CloseOrderAsync(job, cancellationToken);
        return JobOutcome.Done;
    }

    // The provider cannot be reached: the platform order still closes (a payment arriving later is refunded as late).
    public Task OnDeadlineAsync(JobContext job, string lastError, CancellationToken cancellationToken) => CloseOrderAsync(job, cancellationToken);

    private async Task CloseOrderAsync(JobContext job, CancellationToken cancellationToken)
    {
        trades.Db.Enqueue(JobKinds.CloseOrder, clock.GetUtcNow(), orders.Value.PlatformOrderLifetime, job.RequiredTradeId,
            payload: job.Payload, dedupeKey: $"close:{job.RequiredTradeId}");
        await trades.Db.SaveChangesAsync(cancellationToken);
    }
}

/// <summary>When to ask about an unpaid payment: soon after checkout, then less often (WECHATPAY §6.3).</summary>
public static class PaymentQueries
{
    public static TimeSpan After(int attempts) => attempts switch
    {
        < 1 => TimeSpan.FromMinutes(2),
        < 2 => TimeSpan.FromMinutes(5),
        _ => TimeSpan.FromMinutes(10),
    };
}

internal static class PaymentCalls
{
    public static RefundRequest ToRequest(this Refund refund, Payment payment) =>
        new(refund.RefundKey, refund.TradeId, payment.ProviderPaymentId, refund.AmountFen, payment.PaidFen ?? payment.AmountFen, refund.Reason);

    /// <summary>A provider call on the trade's timeline (ops read it next to the platform's calls); an entry needs no trade lock.</summary>
    public static async Task NoteAsync(TradeStore trades, JobContext job, string summary, string outcome, long started, CancellationToken cancellationToken)
    {
        trades.Note(job.RequiredTradeId, "payment_call", Actors.Worker, summary, outcome, job.LineId is > 0 ? job.LineId : null, started);
        await trades.Db.SaveChangesAsync(cancellationToken);
    }
}
