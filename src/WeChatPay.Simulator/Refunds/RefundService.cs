using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using WeChatPay.Simulator.Api;
using WeChatPay.Simulator.Notifications;
using WeChatPay.Simulator.State;
using WeChatPay.Simulator.Transactions;

namespace WeChatPay.Simulator.Refunds;

/// <summary>Refunds: accept (idempotent by out_refund_no, capped at the amount paid), query, and settle.</summary>
internal sealed partial class RefundService(SimState state)
{
    private const int MaxRefundsPerPayment = 50;

    public V3Answer Create(V3Call call)
    {
        var body = call.Body;
        var outTradeNo = body.OptionalText("/out_trade_no", 32, 6);
        var transactionId = body.OptionalText("/transaction_id", 32);
        if (outTradeNo is null && transactionId is null)
        {
            throw WeChatErrors.Missing("/out_trade_no");
        }

        var outRefundNo = body.Matching("/out_refund_no", 64, OutRefundNo());
        var reason = body.OptionalText("/reason", 80);
        var notifyUrl = body.NotifyUrl("/notify_url", required: false, state.Settings.RequireHttpsNotifyUrl);
        var amount = body.Integer("/amount/refund", 1);
        var total = body.Integer("/amount/total", 1);
        var currency = body.Currency("/amount/currency", required: true);
        if (amount > total)
        {
            throw WeChatErrors.Param("/amount/refund", "退款金额不能大于原订单金额", "取值范围", JsonValue.Create(amount));
        }

        var fingerprint = WxFormat.Canonical(body.Root);
        lock (state.Gate)
        {
            if (state.Refunds.TryGetValue(outRefundNo, out var existing))
            {
                return existing.Fingerprint == fingerprint
                    ? V3Answer.Ok(RefundJson.Render(existing))
                    : throw WeChatErrors.InvalidRequest("商户退款单号重复，请求参数与原退款单不一致");
            }

            var transaction = FindTransaction(outTradeNo, transactionId);
            CheckRefundable(transaction, total, amount);
            var outcome = TakeOutcome(transaction.OutTradeNo, outRefundNo, out var delay);
            var refund = new Refund
            {
                OutRefundNo = outRefundNo,
                RefundId = state.NewRefundId(),
                OutTradeNo = transaction.OutTradeNo,
                TransactionId = transaction.TransactionId ?? "",
                Amount = amount,
                Total = total,
                Currency = currency,
                Reason = reason,
                NotifyUrl = notifyUrl.Length > 0 ? notifyUrl : null,
                Fingerprint = fingerprint,
                CreatedAt = state.Clock.Now,
                Outcome = outcome,
            };
            state.Refunds.Add(outRefundNo, refund);
            transaction.RefundNos.Add(outRefundNo);
            Log.RefundAccepted(state.Logger, outRefundNo, refund.OutTradeNo, amount);
            if (refund.Outcome == RefundOutcome.Success)
            {
                SettleUnlocked(refund, RefundStatus.Success);
            }
            else if (RefundOutcomes.SettlesInto(refund.Outcome) is not null)
            {
                refund.SettleAt = refund.CreatedAt + delay;
            }

            return V3Answer.Ok(RefundJson.Render(refund));
        }
    }

    public V3Answer Query(V3Call call)
    {
        lock (state.Gate)
        {
            return state.Refunds.TryGetValue(call.Route("out_refund_no"), out var refund)
                ? V3Answer.Ok(RefundJson.Render(refund))
                : throw WeChatErrors.ResourceNotExists("退款单不存在");
        }
    }

    /// <summary>Settles every PROCESSING refund whose time has come (sim clock).</summary>
    public void SettleDue()
    {
        lock (state.Gate)
        {
            var now = state.Clock.Now;
            foreach (var refund in state.Refunds.Values.Where(r => r.Status == RefundStatus.Processing && r.SettleAt <= now).ToList())
            {
                SettleUnlocked(refund, RefundOutcomes.SettlesInto(refund.Outcome)!);
            }
        }
    }

    /// <summary>Moves a refund to a final (or ABNORMAL) status and notifies the merchant.</summary>
    public void SettleUnlocked(Refund refund, string status)
    {
        refund.Status = status;
        refund.SettleAt = null;
        if (status == RefundStatus.Success)
        {
            refund.SuccessTime = state.Clock.Now;
        }

        Log.RefundSettled(state.Logger, refund.OutRefundNo, status);
        Notices.Refund(state, refund, state.Transactions[refund.OutTradeNo]);
    }

    private void CheckRefundable(Transaction transaction, long total, long amount)
    {
        if (!transaction.IsPaid)
        {
            throw WeChatErrors.InvalidRequest("订单未支付，不能退款");
        }

        if (total != transaction.PaidAmount)
        {
            throw WeChatErrors.Param("/amount/total", "与原订单金额不一致", "一致性", JsonValue.Create(total));
        }

        if (transaction.RefundNos.Count >= MaxRefundsPerPayment)
        {
            throw WeChatErrors.RuleLimit("一笔订单最多退款50次");
        }

        var held = transaction.RefundNos.Select(no => state.Refunds[no]).Where(r => r.Holds).Sum(r => r.Amount);
        if (held + amount > transaction.PaidAmount)
        {
            throw WeChatErrors.InvalidRequest("申请退款金额超过订单可退金额");
        }
    }

    private Transaction FindTransaction(string? outTradeNo, string? transactionId)
    {
        var transaction = outTradeNo is not null
            ? state.Transactions.GetValueOrDefault(outTradeNo)
            : state.Transactions.Values.FirstOrDefault(t => t.TransactionId == transactionId);
        return transaction is not null && (transactionId is null || transaction.TransactionId == transactionId)
            ? transaction
            : throw WeChatErrors.ResourceNotExists("订单不存在");
    }

    private RefundOutcome TakeOutcome(string outTradeNo, string outRefundNo, out TimeSpan delay)
    {
        delay = state.Settings.RefundDelay;
        var script = state.RefundScripts.Find(s => s.MatchesRefund(outTradeNo, outRefundNo));
        if (script is null)
        {
            return state.Settings.RefundOutcome;
        }

        if (script.Use())
        {
            state.RefundScripts.Remove(script);
        }

        if (script.DelayMs is { } ms)
        {
            delay = TimeSpan.FromMilliseconds(ms);
        }

        return script.Outcome;
    }

    [GeneratedRegex(@"^[0-9A-Za-z_\-|*@]+$")]
    private static partial Regex OutRefundNo();
}
