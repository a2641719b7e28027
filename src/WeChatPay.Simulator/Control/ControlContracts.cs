using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace WeChatPay.Simulator.Control;

public sealed record MerchantRequest(
    [property: JsonPropertyName("mchid")] string? MchId,
    [property: JsonPropertyName("appid")] string? AppId,
    [property: JsonPropertyName("apiv3_key")] string? ApiV3Key,
    string? PublicKeyPem,
    string? CertificateSerial);

public sealed record RotateRequest(bool? SamePublicKey, int? ValidDays);

public sealed record SettingsRequest(
    string? SigningMode,
    string? RefundOutcome,
    int? RefundDelayMs,
    double? NotifyRetryFactor,
    int? NotifyMaxAttempts,
    int? NotifyTimeoutMs,
    int? HangTimeoutMs,
    int? StaleTimestampSeconds,
    bool? RequireHttpsNotifyUrl,
    bool? StrictHeaders);

public sealed record ClockRequest(double? AdvanceSeconds);

public sealed record JsapiPayRequest(string? AppId, string? TimeStamp, string? NonceStr, string? Package, string? SignType, string? PaySign);

public sealed record PayRequest(long? Amount, string? Openid, JsapiPayRequest? Jsapi);

public sealed record FailRequest(string? TradeState, string? Reason);

public sealed record SettleRequest(string? Status);

public sealed record RefundOutcomeRequest(string? Outcome, string? OutTradeNo, string? OutRefundNo, int? Count, bool? Sticky, int? DelayMs);

public sealed record EndpointFaultRequest(
    string? Endpoint, string? OutTradeNo, string? Mode, int? Count, bool? Sticky, int? DelayMs, int? Status, string? Code);

public sealed record NotificationFaultRequest(string? Mode, string? OutTradeNo, string? EventType, int? Count, bool? Sticky, int? DelayMs);

public sealed record ProbeRequest(string? Url, string? OutTradeNo);

public sealed record ErrorView(string Error);

public sealed record ClockView(DateTimeOffset Now, double OffsetSeconds);

public sealed record CertificateView(
    string SerialNo, DateTimeOffset EffectiveTime, DateTimeOffset ExpireTime, bool Signing, bool SharesPublicKey, string Pem);

public sealed record KeysView(
    string PublicKeyId,
    string PublicKeyPem,
    string SigningMode,
    string CertificateSerial,
    IReadOnlyList<CertificateView> Certificates);

public sealed record MerchantView(
    [property: JsonPropertyName("mchid")] string MchId,
    [property: JsonPropertyName("appid")] string AppId,
    [property: JsonPropertyName("apiv3_key")] string ApiV3Key,
    string CertificateSerial,
    bool PublicKeyConfigured,
    string? PublicKeyPem);

public sealed record SettingsView(
    string SigningMode,
    string RefundOutcome,
    int RefundDelayMs,
    double NotifyRetryFactor,
    int NotifyMaxAttempts,
    int NotifyTimeoutMs,
    int HangTimeoutMs,
    int StaleTimestampSeconds,
    bool RequireHttpsNotifyUrl,
    bool StrictHeaders);

public sealed record AttemptView(DateTimeOffset At, long Amount, string Outcome, string? Openid, string? Reason);

public sealed record RefundView(
    string OutRefundNo,
    string RefundId,
    string OutTradeNo,
    string TransactionId,
    long Amount,
    long Total,
    string Status,
    string Outcome,
    string? Reason,
    string? NotifyUrl,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SuccessTime,
    DateTimeOffset? SettleAt);

public sealed record TransactionView(
    string OutTradeNo,
    string TradeType,
    string TradeState,
    [property: JsonPropertyName("appid")] string AppId,
    [property: JsonPropertyName("mchid")] string MchId,
    string Description,
    long Total,
    string Currency,
    string NotifyUrl,
    DateTimeOffset? TimeExpire,
    bool Expired,
    string? CodeUrl,
    string? PrepayId,
    string? PayerOpenid,
    DateTimeOffset CreatedAt,
    string? TransactionId,
    DateTimeOffset? SuccessTime,
    long? PaidAmount,
    DateTimeOffset? ClosedAt,
    IReadOnlyList<AttemptView> Attempts,
    IReadOnlyList<RefundView> Refunds);

public sealed record PaymentView(string Outcome, long Amount, string? TransactionId, DateTimeOffset At);

public sealed record RefundBookView(string OutRefundNo, string RefundId, long Amount, string Status, DateTimeOffset CreatedAt, DateTimeOffset? SuccessTime);

public sealed record TradeBookView(
    string OutTradeNo,
    string TradeState,
    long Total,
    long Paid,
    long Refunded,
    long Refunding,
    long Net,
    IReadOnlyList<PaymentView> Payments,
    IReadOnlyList<RefundBookView> Refunds);

public sealed record BookTotalsView(int Trades, long Paid, long Refunded, long Refunding, long Net);

public sealed record BooksView(BookTotalsView Totals, IReadOnlyList<TradeBookView> Trades);

public sealed record NotificationAttemptView(int Copy, int Number, DateTimeOffset At, int? HttpStatus, string? Error, string Signature);

public sealed record NotificationView(
    long Seq,
    string Id,
    string EventType,
    string OutTradeNo,
    string? OutRefundNo,
    string Url,
    string Status,
    string? Fault,
    DateTimeOffset CreatedAt,
    IReadOnlyList<NotificationAttemptView> Attempts,
    JsonNode? Plaintext,
    string Body);

public sealed record ProbeView(DateTimeOffset At, string Url, string Signature, int? HttpStatus, string? Error);

public sealed record EndpointFaultView(
    long Id, string Endpoint, string? OutTradeNo, string Mode, int? Remaining, bool Sticky, int? DelayMs, int? Status, string? Code);

public sealed record NotificationFaultView(
    long Id, string Mode, string? OutTradeNo, string? EventType, int? Remaining, bool Sticky, int? DelayMs, int Held);

public sealed record RefundOutcomeView(long Id, string Outcome, string? OutTradeNo, string? OutRefundNo, int? Remaining, bool Sticky, int? DelayMs);

public sealed record FaultsView(
    IReadOnlyList<EndpointFaultView> Endpoint,
    IReadOnlyList<NotificationFaultView> Notification,
    IReadOnlyList<RefundOutcomeView> RefundOutcomes);

public sealed record RequestView(long Seq, DateTimeOffset At, string Method, string Url, string Endpoint, int? Status, string? Code, string? Fault);

public sealed record RequestsView(IReadOnlyDictionary<string, int> Counts, IReadOnlyList<RequestView> Log);

public sealed record StateView(
    ClockView Clock,
    string SigningMode,
    IReadOnlyDictionary<string, int> Transactions,
    IReadOnlyDictionary<string, int> Refunds,
    int Notifications,
    int NotificationsInFlight,
    int Probes,
    int PendingFaults,
    int Requests);
