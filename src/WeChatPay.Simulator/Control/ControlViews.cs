using System.Text.Json.Nodes;
using WeChatPay.Simulator.Crypto;
using WeChatPay.Simulator.Faults;
using WeChatPay.Simulator.Merchant;
using WeChatPay.Simulator.Notifications;
using WeChatPay.Simulator.Refunds;
using WeChatPay.Simulator.State;
using WeChatPay.Simulator.Transactions;

namespace WeChatPay.Simulator.Control;

internal static class ControlViews
{
    public static readonly WireNames<SigningMode> SigningModes = new(new Dictionary<string, SigningMode>(StringComparer.Ordinal)
    {
        ["public_key"] = Crypto.SigningMode.PublicKey,
        ["certificate"] = Crypto.SigningMode.Certificate,
        ["both"] = Crypto.SigningMode.Both,
    });

    public static ClockView Clock(SimClock clock) => new(clock.Now, clock.Offset.TotalSeconds);

    public static KeysView Keys(SimKeys keys, SigningMode mode)
    {
        var signing = keys.Signing;
        return new KeysView(
            keys.PublicKeyId,
            keys.PublicKeyPem,
            SigningModes.Key(mode),
            signing.Serial,
            keys.Certificates.Select(c => Certificate(c, ReferenceEquals(c, signing))).ToList());
    }

    public static CertificateView Certificate(PlatformCertificate certificate, bool signing) => new(
        certificate.Serial, certificate.EffectiveTime, certificate.ExpireTime, signing, certificate.SharesPublicKey, certificate.Pem);

    public static MerchantView Merchant(MerchantAccount merchant) => new(
        merchant.MchId, merchant.AppId, merchant.ApiV3Key, merchant.CertificateSerial, merchant.PublicKey is not null, merchant.PublicKeyPem);

    public static SettingsView Settings(WeChatPaySimOptions settings) => new(
        SigningModes.Key(settings.SigningMode),
        RefundOutcomes.Names.Key(settings.RefundOutcome),
        (int)settings.RefundDelay.TotalMilliseconds,
        settings.NotifyRetryFactor,
        settings.NotifyMaxAttempts,
        (int)settings.NotifyTimeout.TotalMilliseconds,
        (int)settings.HangTimeout.TotalMilliseconds,
        (int)settings.StaleTimestampAge.TotalSeconds,
        settings.RequireHttpsNotifyUrl,
        settings.StrictHeaders);

    public static TransactionView Transaction(SimState state, Transaction transaction) => new(
        transaction.OutTradeNo,
        transaction.TradeType,
        state.TradeStateOf(transaction),
        transaction.AppId,
        transaction.MchId,
        transaction.Description,
        transaction.Total,
        transaction.Currency,
        transaction.NotifyUrl,
        transaction.TimeExpire,
        transaction.IsExpired(state.Clock.Now),
        transaction.CodeUrl,
        transaction.PrepayId,
        transaction.RequestedOpenId,
        transaction.CreatedAt,
        transaction.TransactionId,
        transaction.SuccessTime,
        transaction.PaidAmount,
        transaction.ClosedAt,
        transaction.Attempts.Select(a => new AttemptView(a.At, a.Amount, a.Outcome, a.OpenId, a.Reason)).ToList(),
        transaction.RefundNos.Select(no => Refund(state.Refunds[no])).ToList());

    public static RefundView Refund(Refund refund) => new(
        refund.OutRefundNo,
        refund.RefundId,
        refund.OutTradeNo,
        refund.TransactionId,
        refund.Amount,
        refund.Total,
        refund.Status,
        RefundOutcomes.Names.Key(refund.Outcome),
        refund.Reason,
        refund.NotifyUrl,
        refund.CreatedAt,
        refund.SuccessTime,
        refund.SettleAt);

    public static NotificationView Notification(NotificationEntry entry) => new(
        entry.Seq,
        entry.Id,
        entry.EventType,
        entry.OutTradeNo,
        entry.OutRefundNo,
        entry.Url,
        entry.Status,
        entry.Fault,
        entry.CreatedAt,
        entry.Attempts.Select(a => new NotificationAttemptView(a.Copy, a.Number, a.At, a.HttpStatus, a.Error, a.Signature)).ToList(),
        JsonNode.Parse(entry.Plaintext),
        entry.Body);

    public static ProbeView Probe(ProbeEntry probe) => new(probe.At, probe.Url, probe.Signature, probe.HttpStatus, probe.Error);

    public static EndpointFaultView EndpointFault(EndpointFault fault) => new(
        fault.Id, fault.Endpoint, fault.OutTradeNo, FaultNames.EndpointModes.Key(fault.Mode), fault.Remaining, fault.Remaining is null,
        fault.DelayMs, fault.Status, fault.Code);

    public static NotificationFaultView NotificationFault(NotificationFault fault) => new(
        fault.Id, FaultNames.NotificationModes.Key(fault.Mode), fault.OutTradeNo, fault.EventType, fault.Remaining, fault.Remaining is null,
        fault.DelayMs, fault.Held.Count);

    public static RefundOutcomeView RefundOutcome(RefundScript script) => new(
        script.Id, RefundOutcomes.Names.Key(script.Outcome), script.OutTradeNo, script.OutRefundNo, script.Remaining, script.Remaining is null,
        script.DelayMs);

    public static RequestView Request(RequestEntry entry) => new(
        entry.Seq, entry.At, entry.Method, entry.Url, entry.Endpoint, entry.Status, entry.Code, entry.Fault);
}
