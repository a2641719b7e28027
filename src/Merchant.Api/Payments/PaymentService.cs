using Merchant.Api.Hosting;
using Merchant.Api.Jobs;
using Merchant.Api.Telemetry;
using Merchant.Api.Trades;
using Merchant.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Merchant.Api.Payments;

/// <summary>What a payment notification does to a trade (DESIGN §2 rule 2).</summary>
public sealed partial class PaymentService(
    TradeStore trades, JobExecutor executor, TimeProvider clock, IOptions<OrdersOptions> orders, ILogger<PaymentService> logger)
{
    public async Task<bool> ApplyAsync(string provider, PaymentNotification notification, CancellationToken cancellationToken)
    {
        var db = trades.Db;
        Job? confirm = null;
        var found = await trades.ChangeAsync(notification.TradeId, Actors.Provider, async trade =>
        {
            var now = clock.GetUtcNow();
            var payment = await db.Payments.SingleOrDefaultAsync(p => p.TradeId == trade.TradeId, cancellationToken);
            if (payment is null || payment.ProviderPaymentId != notification.PaymentId
                || !string.Equals(payment.Provider, provider, StringComparison.OrdinalIgnoreCase))
            {
                trades.Note(trade.TradeId, "payment", Actors.Provider, $"{provider} notification for an unknown payment ignored", "ignored");
                return;
            }

            var outcome = notification.Succeeded ? "succeeded" : "failed";
            MerchantTelemetry.Payments.Add(1, MerchantTelemetry.Tag("outcome", payment.Status == Payment.Succeeded ? "duplicate" : outcome));
            trades.Note(trade.TradeId, "payment", Actors.Provider, $"{provider} notification: payment {outcome}", outcome);
            if (payment.Status == Payment.Succeeded)
            {
                return;
            }

            payment.UpdatedAt = now;
            if (!notification.Succeeded)
            {
                payment.Status = Payment.Failed;
                return;
            }

            payment.Status = Payment.Succeeded;
            payment.PaidAt = now;
            LogPaid(logger, trade.TradeId, payment.AmountFen);
            if (trade.CanAcceptPayment(now))
            {
                trade.Pay(now);
                // The platform refuses to mark an order paid after its 20-minute cut-off; trying later is pointless.
                var cutOff = (trade.OrderCreatedAt ?? now) + orders.Value.PlatformOrderLifetime;
                confirm = db.Enqueue(JobKinds.ConfirmPaid, now, cutOff > now ? cutOff - now : TimeSpan.FromSeconds(30), trade.TradeId,
                    dedupeKey: $"confirm:{trade.TradeId}");
                if (executor.RunsJobs)
                {
                    // Leased to this instance and started right after the commit: no wait for a worker to claim it.
                    executor.Claim(confirm, now);
                }

                return;
            }

            var wasOpen = trade.Status == TradeStatus.AwaitingPayment;
            if (trade.Status is not (TradeStatus.AwaitingPayment or TradeStatus.Cancelled or TradeStatus.Expired))
            {
                trades.Note(trade.TradeId, "payment", Actors.Provider, $"payment arrived for a {trade.Status.ToWire()} trade", "needs_review");
                return;
            }

            MerchantTelemetry.Payments.Add(1, MerchantTelemetry.Tag("outcome", "refused_late"));
            var reason = wasOpen ? "payment arrived after the payment window" : $"payment arrived after the trade was {trade.Status.ToWire()}";
            foreach (var line in trade.RefundInFull(TradeTrigger.RefuseLatePayment, reason, now))
            {
                Refunds.Request(db, trade, line, reason, now);
            }

            if (wasOpen)
            {
                db.Enqueue(JobKinds.CloseOrder, now, orders.Value.PlatformOrderLifetime, trade.TradeId, dedupeKey: $"close:{trade.TradeId}");
            }
        }, cancellationToken);
        if (confirm is { LockedBy: not null })
        {
            executor.Start(confirm);
        }

        return found is not null;
    }

    [LoggerMessage(1, LogLevel.Information, "Trade {TradeId} paid ({AmountFen} fen)")]
    private static partial void LogPaid(ILogger logger, string tradeId, long amountFen);
}
