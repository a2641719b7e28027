using System.Globalization;
using System.Security.Cryptography;
using WeChatPay.Simulator.Api;
using WeChatPay.Simulator.Crypto;
using WeChatPay.Simulator.State;
using WeChatPay.Simulator.Transactions;

namespace WeChatPay.Simulator.Notifications;

/// <summary>WeChat's deliberate probes: a well-formed notification whose signature is <c>WECHATPAY/SIGNTEST/…</c>.</summary>
internal sealed class ProbeService(SimState state, NotificationSender sender)
{
    /// <summary>Posts a probe claiming the trade (or an invented one) was paid; a sound receiver answers 401 and changes nothing.</summary>
    public async Task<ProbeEntry> SendAsync(string url, string? outTradeNo, CancellationToken aborted)
    {
        string body;
        lock (state.Gate)
        {
            var now = state.Clock.Now;
            var merchant = state.Merchant;
            var transaction = outTradeNo is not null && state.Transactions.TryGetValue(outTradeNo, out var known)
                ? known
                : Invented(merchant.MchId, merchant.AppId, now);
            var claim = new PaidView(
                "4200SIGNTEST" + RandomNumberGenerator.GetInt32(100_000_000, 1_000_000_000).ToString(CultureInfo.InvariantCulture),
                TradeState.Success, now, "oSIGNTEST" + WeChatCrypto.Nonce(19), transaction.Total);
            var plaintext = WxFormat.Text(TransactionJson.Paid(transaction, claim));
            body = WxFormat.Text(Notices.Envelope(
                state.NewEventId(), now, Notices.TransactionSuccess, "支付成功", "transaction", plaintext, merchant.ApiV3Key));
        }

        var signature = WeChatCrypto.ProbePrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        var headers = sender.Sign(body, SignatureFault.None)
            .Select(h => h.Key == "Wechatpay-Signature" ? KeyValuePair.Create(h.Key, signature) : h);
        var (status, error) = await sender.PostAsync(url, body, headers, aborted);
        var entry = new ProbeEntry(DateTimeOffset.UtcNow, url, signature, status, error);
        lock (state.Gate)
        {
            state.Probes.Add(entry);
        }

        return entry;
    }

    private static Transaction Invented(string mchId, string appId, DateTimeOffset now) => new()
    {
        OutTradeNo = "SIGNTEST" + now.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture),
        TradeType = TransactionService.Native,
        AppId = appId,
        MchId = mchId,
        Description = "signature test",
        NotifyUrl = "",
        Total = 1,
        Currency = "CNY",
        Fingerprint = "",
        CreatedAt = now,
    };
}
