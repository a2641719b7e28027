using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using WeChatPay.Simulator.Api;
using WeChatPay.Simulator.Crypto;
using WeChatPay.Simulator.Merchant;
using WeChatPay.Simulator.State;

namespace WeChatPay.Simulator.Transactions;

/// <summary>Prepay (Native, JSAPI), query and close, as WeChat Pay answers them.</summary>
internal sealed partial class TransactionService(SimState state)
{
    public const string Native = "NATIVE";
    public const string Jsapi = "JSAPI";

    public V3Answer Prepay(V3Call call, string tradeType)
    {
        var body = call.Body;
        var settings = state.Settings;
        var appId = body.Text("/appid", 32);
        var mchId = body.Text("/mchid", 32);
        var description = body.Text("/description", 127);
        var outTradeNo = body.Matching("/out_trade_no", 32, OutTradeNo(), minLength: 6);
        var timeExpire = ReadTime(body, "/time_expire");
        var attach = body.OptionalText("/attach", 128);
        var notifyUrl = body.NotifyUrl("/notify_url", required: true, settings.RequireHttpsNotifyUrl);
        var total = body.Integer("/amount/total", 1);
        var currency = body.Currency("/amount/currency");
        var openId = tradeType == Jsapi ? body.Text("/payer/openid", 128) : null;
        CheckMerchant(state.Merchant, mchId, appId);
        var fingerprint = tradeType + " " + WxFormat.Canonical(body.Root);

        lock (state.Gate)
        {
            if (state.Transactions.TryGetValue(outTradeNo, out var existing))
            {
                return Repeat(existing, fingerprint);
            }

            var now = state.Clock.Now;
            var transaction = new Transaction
            {
                OutTradeNo = outTradeNo,
                TradeType = tradeType,
                AppId = appId,
                MchId = mchId,
                Description = description,
                NotifyUrl = notifyUrl,
                Attach = attach,
                Total = total,
                Currency = currency,
                TimeExpire = timeExpire,
                RequestedOpenId = openId,
                CodeUrl = tradeType == Native ? "weixin://wxpay/bizpayurl?pr=" + WeChatCrypto.Nonce(9) : null,
                PrepayId = tradeType == Jsapi
                    ? "wx" + now.ToOffset(TimeSpan.FromHours(8)).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)
                        + WeChatCrypto.Nonce(20).ToLowerInvariant()
                    : null,
                Fingerprint = fingerprint,
                CreatedAt = now,
            };
            state.Transactions.Add(outTradeNo, transaction);
            Log.Prepaid(state.Logger, outTradeNo, tradeType, total);
            return PrepayAnswer(transaction);
        }
    }

    public V3Answer Query(V3Call call)
    {
        var mchId = call.Query("mchid");
        if (string.IsNullOrEmpty(mchId))
        {
            throw WeChatErrors.Missing("mchid", "query");
        }

        CheckMchId(state.Merchant, mchId, "mchid", "query");
        lock (state.Gate)
        {
            return V3Answer.Ok(TransactionJson.Render(state, Find(call.Route("out_trade_no"))));
        }
    }

    public V3Answer Close(V3Call call)
    {
        CheckMchId(state.Merchant, call.Body.Text("/mchid", 32), "/mchid", "body");
        lock (state.Gate)
        {
            var transaction = Find(call.Route("out_trade_no"));
            if (transaction.IsPaid)
            {
                throw WeChatErrors.OrderPaid();
            }

            if (transaction.State == TradeState.Closed)
            {
                throw WeChatErrors.OrderClosed();
            }

            transaction.State = TradeState.Closed;
            transaction.ClosedAt = state.Clock.Now;
            Log.Closed(state.Logger, transaction.OutTradeNo);
            return V3Answer.NoContent;
        }
    }

    public static void CheckMchId(MerchantAccount merchant, string mchId, string field, string location)
    {
        if (mchId != merchant.MchId)
        {
            throw WeChatErrors.Param(field, "与请求签名的商户号不一致", "一致性", JsonValue.Create(mchId), location);
        }
    }

    private static void CheckMerchant(MerchantAccount merchant, string mchId, string appId)
    {
        CheckMchId(merchant, mchId, "/mchid", "body");
        if (appId != merchant.AppId)
        {
            throw WeChatErrors.AppIdMismatch();
        }
    }

    private static DateTimeOffset? ReadTime(BodyReader body, string pointer)
    {
        if (body.OptionalText(pointer, 64) is not { } text)
        {
            return null;
        }

        return WxFormat.TryParseTime(text, out var value)
            ? value
            : throw WeChatErrors.Param(pointer, "须为RFC 3339格式，如2026-11-22T10:06:16+08:00", "格式", JsonValue.Create(text));
    }

    private static V3Answer PrepayAnswer(Transaction transaction) => V3Answer.Ok(transaction.CodeUrl is { } codeUrl
        ? new JsonObject { ["code_url"] = codeUrl }
        : new JsonObject { ["prepay_id"] = transaction.PrepayId });

    // Same parameters before time_expire: the same code_url / prepay_id; anything else is refused.
    private V3Answer Repeat(Transaction existing, string fingerprint)
    {
        if (existing.Fingerprint != fingerprint)
        {
            throw WeChatErrors.InvalidRequest("商户订单号重复，请求参数与原订单不一致");
        }

        switch (existing.State)
        {
            case TradeState.Success:
                throw WeChatErrors.OrderPaid();
            case TradeState.Closed:
                throw WeChatErrors.OrderClosed();
            case TradeState.PayError:
                throw WeChatErrors.InvalidRequest("订单支付失败，请使用新的商户订单号下单");
        }

        return existing.IsExpired(state.Clock.Now)
            ? throw WeChatErrors.InvalidRequest("订单已过期(time_expire)，请使用新的商户订单号下单")
            : PrepayAnswer(existing);
    }

    private Transaction Find(string outTradeNo) =>
        state.Transactions.GetValueOrDefault(outTradeNo) ?? throw WeChatErrors.OrderNotExist();

    [GeneratedRegex(@"^[0-9A-Za-z_\-|*]+$")]
    private static partial Regex OutTradeNo();
}
