using System.Diagnostics;
using System.Text.Json;
using Merchant.Api.Hosting;
using Merchant.Api.Jobs;
using Merchant.Api.Persistence;
using Merchant.Api.Telemetry;
using Merchant.Api.Trades;
using Merchant.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Merchant.Api.Payments;

/// <summary>
/// What a provider's word does to a trade (DESIGN §2 rules 2 and 7, WECHATPAY §6), whether it came by notification or by
/// our own query: applied under the trade's lock, and idempotent, so the same news twice changes nothing.
/// </summary>
public sealed partial class PaymentService(
    TradeStore trades, JobExecutor executor, NpgsqlDataSource dataSource, TimeProvider clock, IOptions<OrdersOptions> orders,
    IOptions<PaymentsOptions> payments, ILogger<PaymentService> logger)
{
    // A confirm job this instance claimed while applying a payment; started once the change is committed.
    private Job? _confirm;

    /// <summary>Stores a verified notification (once per provider event), then applies it; false when the trade is unknown.</summary>
    public async Task<bool> ReceiveAsync(string provider, ProviderNotification notification, string raw, CancellationToken cancellationToken)
    {
        var stored = await StoreAsync(provider, notification, raw, cancellationToken);
        if (stored is null)
        {
            return true;
        }

        return await ApplyStoredAsync(provider, stored.Value, notification, cancellationToken);
    }

    /// <summary>Notifications stored but not applied (their request died between the two), for the maintenance sweep.</summary>
    public async Task<int> ApplyUnappliedAsync(TimeSpan olderThan, CancellationToken cancellationToken)
    {
        var before = clock.GetUtcNow() - olderThan;
        var pending = await trades.Db.PaymentNotifications.AsNoTracking()
            .Where(n => n.AppliedAt == null && n.ReceivedAt < before)
            .OrderBy(n => n.NotificationId).Take(100)
            .ToListAsync(cancellationToken);
        foreach (var record in pending)
        {
            var notification = JsonSerializer.Deserialize<ProviderNotification>(record.Body, WireJson.Options)!;
            await ApplyStoredAsync(record.Provider, record.NotificationId, notification, cancellationToken);
        }

        return pending.Count;
    }

    /// <summary>Applies a payment's state; the caller names where it came from (a notification, a query, a close).</summary>
    public Task<bool> ApplyPaymentAsync(string provider, PaymentState state, string source, CancellationToken cancellationToken) =>
        ApplyAsync(state.TradeId, notificationId: null, (trade, now) => ApplyPayment(trade, provider, state, source, now), cancellationToken);

    public Task<bool> ApplyRefundAsync(string provider, string tradeId, RefundState state, string source, CancellationToken cancellationToken) =>
        ApplyAsync(tradeId, notificationId: null, (trade, now) => ApplyRefund(trade, provider, state, source, now), cancellationToken);

    private async Task<bool> ApplyStoredAsync(string provider, long notificationId, ProviderNotification notification, CancellationToken cancellationToken) =>
        await ApplyAsync(notification.TradeId, notificationId, async (trade, now) =>
        {
            if (notification.Payment is { } payment)
            {
                await ApplyPayment(trade, provider, payment, "notification", now);
            }

            if (notification.Refund is { } refund)
            {
                await ApplyRefund(trade, provider, refund, "notification", now);
            }
        }, cancellationToken);

    private async Task<bool> ApplyAsync(string tradeId, long? notificationId, Func<Trade, DateTimeOffset, Task> apply, CancellationToken cancellationToken)
    {
        _confirm = null;
        var found = await trades.ChangeAsync(tradeId, Actors.Provider, async trade =>
        {
            var now = clock.GetUtcNow();
            await apply(trade, now);
            if (notificationId is { } id)
            {
                // Raw, on the trade's transaction: on every payment notification (decision 0026).
                await using var applied = trades.Db.Command("UPDATE payment_notifications SET applied_at = $1 WHERE notification_id = $2", now, id);
                await applied.ExecuteNonQueryAsync(cancellationToken);
            }
        }, cancellationToken);
        if (found is null && notificationId is { } orphan)
        {
            // Nothing to apply it to, ever: mark it so the sweep stops trying.
            await trades.Db.PaymentNotifications.Where(n => n.NotificationId == orphan)
                .ExecuteUpdateAsync(u => u.SetProperty(n => n.AppliedAt, clock.GetUtcNow()), cancellationToken);
        }

        if (_confirm is { LockedBy: not null } confirm)
        {
            executor.Start(confirm);
        }

        return found is not null;
    }

    private async Task ApplyPayment(Trade trade, string provider, PaymentState state, string source, DateTimeOffset now)
    {
        var db = trades.Db;
        var payment = await MerchantDbContext.PaymentOf(db, trade.TradeId, CancellationToken.None);
        if (payment is null || !string.Equals(payment.Provider, provider, StringComparison.OrdinalIgnoreCase))
        {
            trades.Note(trade.TradeId, "payment", Actors.Provider, $"{provider} {source} for a payment we do not have ignored", "ignored");
            return;
        }

        if (state.Mismatch is { } mismatch)
        {
            // Not ours to act on (another merchant or app, another order): a person may look at the note.
            trades.Note(trade.TradeId, "payment", Actors.Provider, $"{provider} {source} ignored: {mismatch}", "ignored");
            LogMismatch(logger, trade.TradeId, provider, mismatch);
            return;
        }

        switch (state.Status)
        {
            case ProviderPaymentStatus.Succeeded:
                break;
            case ProviderPaymentStatus.Failed when payment.Status == Payment.Pending:
                payment.Status = Payment.Failed;
                payment.UpdatedAt = now;
                trades.Note(trade.TradeId, "payment", Actors.Provider, $"{provider} {source}: the customer's payment failed", "failed");
                MerchantTelemetry.Payments.Add(1, MerchantTelemetry.Tag("outcome", "failed"));
                return;
            case ProviderPaymentStatus.Closed when payment.Status is Payment.Pending or Payment.Failed:
                payment.Status = Payment.Closed;
                payment.UpdatedAt = now;
                trades.Note(trade.TradeId, "payment", Actors.Provider, $"{provider} {source}: payment closed", "closed");
                return;
            default:
                return;
        }

        if (payment.Status == Payment.Succeeded)
        {
            MerchantTelemetry.Payments.Add(1, MerchantTelemetry.Tag("outcome", "duplicate"));
            return;
        }

        var paidFen = state.PaidFen ?? payment.AmountFen;
        var paidAt = state.PaidAt ?? now;
        payment.Status = Payment.Succeeded;
        payment.PaidAt = paidAt;
        payment.PaidFen = paidFen;
        payment.TransactionId = state.TransactionId;
        payment.UpdatedAt = now;
        trades.Note(trade.TradeId, "payment", Actors.Provider,
            $"{provider} {source}: paid {Money.ToWire(paidFen)}{(state.TransactionId is null ? "" : $" ({state.TransactionId})")}", "succeeded");
        LogPaid(logger, trade.TradeId, paidFen, source);

        if (paidFen != payment.AmountFen)
        {
            RefuseMismatched(trade, payment, paidFen, now);
            return;
        }

        if (trade.CanAcceptPayment(paidAt))
        {
            MerchantTelemetry.Payments.Add(1, MerchantTelemetry.Tag("outcome", "succeeded"));
            trade.Pay(now, paidAt);
            // The platform refuses to mark an order paid after its 20-minute cut-off; trying later is pointless.
            var cutOff = (trade.OrderCreatedAt ?? now) + orders.Value.PlatformOrderLifetime;
            _confirm = db.Enqueue(JobKinds.ConfirmPaid, now, cutOff > now ? cutOff - now : TimeSpan.FromSeconds(30), trade.TradeId,
                dedupeKey: $"confirm:{trade.TradeId}");
            if (executor.RunsJobs)
            {
                // Leased to this instance and started right after the commit: no wait for a worker to claim it.
                executor.Claim(_confirm, now);
            }

            return;
        }

        RefuseLate(trade, now);
    }

    /// <summary>A payment we may not keep (DESIGN §2 rule 2): refunded in full, nothing dispensed.</summary>
    private void RefuseLate(Trade trade, DateTimeOffset now)
    {
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
            Refunds.Request(trades.Db, trade, line, reason, now, payments.Value.RefundDeadline);
        }

        if (wasOpen)
        {
            trades.Db.Enqueue(JobKinds.CloseOrder, now, orders.Value.PlatformOrderLifetime, trade.TradeId, dedupeKey: $"close:{trade.TradeId}");
        }
    }

    /// <summary>WECHATPAY §6.2: a payment of another amount than the trade's is not dispensed, goes back whole, and a person looks.</summary>
    private void RefuseMismatched(Trade trade, Payment payment, long paidFen, DateTimeOffset now)
    {
        var reason = $"paid {Money.ToWire(paidFen)}, the trade is {Money.ToWire(payment.AmountFen)}: refunded in full, nothing dispensed";
        MerchantTelemetry.Payments.Add(1, MerchantTelemetry.Tag("outcome", "amount_mismatch"));
        if (trade.Status is TradeStatus.AwaitingPayment or TradeStatus.Cancelled or TradeStatus.Expired)
        {
            var wasOpen = trade.Status == TradeStatus.AwaitingPayment;
            trade.RefuseMismatchedPayment(reason, now);
            if (wasOpen)
            {
                trades.Db.Enqueue(JobKinds.CloseOrder, now, orders.Value.PlatformOrderLifetime, trade.TradeId, dedupeKey: $"close:{trade.TradeId}");
            }
        }

        Refunds.RequestWhole(trades.Db, trade.TradeId, paidFen, reason, now, payments.Value.RefundDeadline);
    }

    private async Task ApplyRefund(Trade trade, string provider, RefundState state, string source, DateTimeOffset now)
    {
        var db = trades.Db;
        var refund = await db.Refunds.SingleOrDefaultAsync(r => r.RefundKey == state.RefundKey && r.TradeId == trade.TradeId);
        var payment = await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.TradeId == trade.TradeId);
        if (refund is null || payment is null || !string.Equals(payment.Provider, provider, StringComparison.OrdinalIgnoreCase))
        {
            trades.Note(trade.TradeId, "refund", Actors.Provider, $"{provider} {source} for refund {state.RefundKey} we do not have ignored", "ignored");
            return;
        }

        var line = refund.LineId == Refund.WholePayment ? (int?)null : refund.LineId;
        var what = $"refund {refund.RefundKey} of {Money.ToWire(refund.AmountFen)}";
        switch (state.Status)
        {
            case ProviderRefundStatus.Processing when refund.Status == Refund.Pending:
                refund.Status = Refund.Requested;
                refund.RequestedAt = now;
                refund.ProviderRefundId = state.RefundId;
                if (line is { } requested)
                {
                    trade.RequestRefund(requested, now);
                    trade.Settle(now);
                }

                // The outcome comes by notification; the query is there for one that never does.
                db.Enqueue(JobKinds.RefundQuery, now, payments.Value.RefundConfirmDeadline, trade.TradeId, refund.LineId,
                    runAt: now + payments.Value.RefundQueryFirstAfter,
                    dedupeKey: $"refund-query:{refund.RefundKey}");
                trades.Note(trade.TradeId, "refund", Actors.Provider, $"{provider} {source}: {what} accepted", "processing", line);
                MerchantTelemetry.Refunds.Add(1, MerchantTelemetry.Tag("outcome", "requested"));
                break;
            case ProviderRefundStatus.Succeeded when refund.Status != Refund.Succeeded:
                refund.Status = Refund.Succeeded;
                refund.RequestedAt ??= now;
                refund.CompletedAt = now;
                refund.ProviderRefundId = state.RefundId ?? refund.ProviderRefundId;
                if (line is { } confirmed)
                {
                    trade.RecordRefund(confirmed, now);
                    trade.Settle(now);
                }

                trades.Note(trade.TradeId, "refund", Actors.Provider, $"{provider} {source}: {what} confirmed", $"paid ({state.RefundId})", line);
                MerchantTelemetry.Refunds.Add(1, MerchantTelemetry.Tag("outcome", "paid"));
                break;
            case ProviderRefundStatus.Closed or ProviderRefundStatus.Abnormal when !refund.IsFinal:
                refund.Status = state.Status == ProviderRefundStatus.Closed ? Refund.Closed : Refund.Abnormal;
                refund.CompletedAt = now;
                refund.Detail = state.Detail;
                var reason = $"refund {refund.Status} by {provider}{(state.Detail is null ? "" : $": {state.Detail}")}";
                if (line is { } failed)
                {
                    trade.RefundNotMade(failed, reason, now);
                    trade.Settle(now);
                }

                trades.Note(trade.TradeId, "refund", Actors.Provider, $"{provider} {source}: {what} not made", reason, line);
                MerchantTelemetry.Refunds.Add(1, MerchantTelemetry.Tag("outcome", refund.Status));
                LogRefundNotMade(logger, trade.TradeId, refund.RefundKey, refund.Status);
                break;
        }
    }

    private async Task<long?> StoreAsync(string provider, ProviderNotification notification, string raw, CancellationToken cancellationToken)
    {
        // One statement decides "seen before?" for every instance at once: the unique (provider, event) index is the referee.
        await using var command = dataSource.CreateCommand("""
            INSERT INTO payment_notifications (provider, event_id, trade_id, refund_key, raw, body, received_at)
            VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)
            ON CONFLICT (provider, event_id) DO UPDATE SET event_id = EXCLUDED.event_id
            RETURNING notification_id, applied_at IS NOT NULL
            """);
        command.Parameters.Add(new() { Value = provider });
        command.Parameters.Add(new() { Value = notification.EventId });
        command.Parameters.Add(new() { Value = notification.TradeId });
        command.Parameters.Add(new() { Value = (object?)notification.Refund?.RefundKey ?? DBNull.Value });
        command.Parameters.Add(new() { Value = raw });
        command.Parameters.Add(new() { Value = JsonSerializer.Serialize(notification, WireJson.Options) });
        command.Parameters.Add(new() { Value = clock.GetUtcNow() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var applied = reader.GetBoolean(1);
        MerchantTelemetry.PaymentNotifications.Add(1, MerchantTelemetry.Tag("provider", provider),
            MerchantTelemetry.Tag("outcome", applied ? "duplicate" : "stored"));
        return applied ? null : reader.GetInt64(0);
    }

    [LoggerMessage(1, LogLevel.Information, "Trade {TradeId} paid ({PaidFen} fen) per {Source}")]
    private static partial void LogPaid(ILogger logger, string tradeId, long paidFen, string source);

    [LoggerMessage(2, LogLevel.Warning, "Trade {TradeId}: {Provider} reported a payment that is not ours ({Mismatch}); ignored")]
    private static partial void LogMismatch(ILogger logger, string tradeId, string provider, string mismatch);

    [LoggerMessage(3, LogLevel.Warning, "Trade {TradeId}: refund {RefundKey} not made ({Status}); the line needs attention")]
    private static partial void LogRefundNotMade(ILogger logger, string tradeId, string refundKey, string status);
}

/// <summary>When to ask the provider again about a refund it took and has not confirmed: a back-off from the first query's delay.</summary>
public static class RefundQueries
{
    /// <summary>With the default first query after 30 s: 1 minute, 5 minutes, 30 minutes, then every 2 hours.</summary>
    public static TimeSpan After(int attempts, TimeSpan first) => first * (attempts switch
    {
        < 2 => 2,
        < 4 => 10,
        < 8 => 60,
        _ => 240,
    });
}
