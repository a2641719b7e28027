using Merchant.Api.Hosting;
using Merchant.Api.Payments.Sandbox;
using Microsoft.Extensions.Options;

namespace Merchant.Api.Payments;

/// <summary>
/// The port to a payment provider (the sandbox, WeChat Pay). Each provider owns its rows and its I/O; every call may be
/// a remote one, and every answer says what the provider knows, which the caller applies under the trade's lock.
/// Refunds carry our deterministic key (<c>{trade_id}-{line_id}</c>), so a provider pays each key at most once.
/// </summary>
public interface IPaymentProvider
{
    /// <summary>The name in <c>Payments:Provider</c> and in <c>/api/v1/payments/{provider}/notify</c>.</summary>
    string Name { get; }

    /// <summary>Whether a <c>jsapi</c> payment needs the payer's openid (checked before the platform order is made).</summary>
    bool JsapiNeedsOpenId { get; }

    /// <summary>Opens a payment the customer can make until <see cref="PaymentRequest.PayBefore"/>; throws
    /// <see cref="PaymentUnavailableException"/> when the provider refuses or its answer stays unknown.</summary>
    Task<OpenedPayment> OpenAsync(PaymentRequest request, CancellationToken cancellationToken);

    /// <summary>What the provider knows of the payment now (query is truth).</summary>
    Task<PaymentState> QueryAsync(PaymentRef payment, CancellationToken cancellationToken);

    /// <summary>Stops the customer from paying. Answers what the payment is after that: closed, or paid meanwhile.</summary>
    Task<PaymentState> CloseAsync(PaymentRef payment, CancellationToken cancellationToken);

    /// <summary>Asks for a refund (safe to repeat with the same key); the outcome may only be known later.</summary>
    Task<RefundState> RefundAsync(RefundRequest request, CancellationToken cancellationToken);

    /// <summary>What the provider knows of a refund now.</summary>
    Task<RefundState> QueryRefundAsync(RefundRequest request, CancellationToken cancellationToken);

    /// <summary>Verifies and reads a notification; never throws on hostile input.</summary>
    Task<NotificationReading> ReadNotificationAsync(byte[] body, IHeaderDictionary headers, CancellationToken cancellationToken);
}

/// <summary>How a customer pays: <c>native</c> (a QR code) or <c>jsapi</c> (inside WeChat, which needs the payer's openid).</summary>
public sealed record PaymentRequest(string TradeId, long AmountFen, string Currency, DateTimeOffset PayBefore, string Description,
    string? Method, string? OpenId);

public sealed record PaymentRef(string TradeId, string PaymentId, long AmountFen);

/// <summary>The provider's id for the payment and what the customer must be shown to make it.</summary>
public sealed record OpenedPayment(string PaymentId, PaymentAction Action);

/// <summary>API.md <c>payment.action</c>: <c>qr</c> (render <c>code_url</c>), <c>jsapi</c> (pass to wx.requestPayment) or <c>sandbox</c>.</summary>
public sealed record PaymentAction(string Type)
{
    public const string Sandbox = "sandbox";
    public const string Qr = "qr";
    public const string Jsapi = "jsapi";

    public string? CodeUrl { get; init; }

    public string? AppId { get; init; }

    public string? TimeStamp { get; init; }

    public string? NonceStr { get; init; }

    public string? Package { get; init; }

    public string? SignType { get; init; }

    public string? PaySign { get; init; }
}

public enum ProviderPaymentStatus
{
    /// <summary>Not paid (yet): NOTPAY, USERPAYING.</summary>
    Pending,
    Succeeded,

    /// <summary>The customer's attempt failed; they may try again before the window closes.</summary>
    Failed,
    Closed,

    /// <summary>The provider knows no such payment.</summary>
    Unknown,
}

/// <summary>
/// A payment as the provider reports it. <see cref="PaidFen"/> and <see cref="PaidAt"/> are set when it succeeded;
/// <see cref="Mismatch"/> names a field (merchant, app, trade) that does not match ours — such a report is not ours to apply.
/// </summary>
public sealed record PaymentState(string TradeId, ProviderPaymentStatus Status)
{
    public string? TransactionId { get; init; }

    public long? PaidFen { get; init; }

    public DateTimeOffset? PaidAt { get; init; }

    public string? Mismatch { get; init; }

    public string? Detail { get; init; }
}

public sealed record RefundRequest(string RefundKey, string TradeId, string PaymentId, long AmountFen, long TotalFen, string Reason);

public enum ProviderRefundStatus
{
    Processing,
    Succeeded,

    /// <summary>The refund failed for good (WeChat CLOSED).</summary>
    Closed,

    /// <summary>The provider could not pay it out (WeChat ABNORMAL: e.g. the customer's card is gone); needs a person.</summary>
    Abnormal,

    /// <summary>The provider knows no refund under this key.</summary>
    Unknown,
}

public sealed record RefundState(string RefundKey, ProviderRefundStatus Status)
{
    public string? RefundId { get; init; }

    public string? Detail { get; init; }
}

/// <summary>A verified notification: about a payment or about a refund, with the provider's id for it (duplicates share one).</summary>
public sealed record ProviderNotification(string EventId, string TradeId)
{
    public PaymentState? Payment { get; init; }

    public RefundState? Refund { get; init; }
}

/// <summary>A notification read: <see cref="Notification"/> when it verified, else why not (for the log; never a secret).</summary>
public sealed record NotificationReading(ProviderNotification? Notification, string? Rejected)
{
    public static NotificationReading Reject(string reason) => new(null, reason);

    public static NotificationReading Accept(ProviderNotification notification) => new(notification, null);
}

/// <summary>
/// The provider refused to open the payment, or could not tell us whether it did. <see cref="PaymentId"/> is the id the
/// payment has (or would have) at the provider, so it can be closed.
/// </summary>
public sealed class PaymentUnavailableException(string message, bool outcomeUnknown, string? paymentId, Exception? inner = null)
    : Exception(message, inner)
{
    public bool OutcomeUnknown { get; } = outcomeUnknown;

    public string? PaymentId { get; } = paymentId;
}

/// <summary>A provider call whose outcome is not known (timeout, 5xx, unverifiable answer): safe calls are repeated later.</summary>
public sealed class PaymentProviderException(string message, Exception? inner = null) : Exception(message, inner);

public sealed class PaymentsOptions
{
    /// <summary>The names <c>Payments:Provider</c> may take: one per <see cref="IPaymentProvider"/> registered.</summary>
    public static readonly IReadOnlyList<string> Implemented = [SandboxProvider.ProviderName, WeChatPay.WeChatPayProvider.ProviderName];

    public string Provider { get; set; } = "Sandbox";

    /// <summary>The first query of a payment nobody told us of (WECHATPAY §6.3); later ones back off to 2, 5, 10 minutes.</summary>
    public TimeSpan QueryFirstAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a refund the provider has not taken keeps being asked for before a person is asked to look.</summary>
    public TimeSpan RefundDeadline { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long a refund the provider took may stay unconfirmed before a person is asked to look.</summary>
    public TimeSpan RefundConfirmDeadline { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The first query of a refund the provider took and has not confirmed; later ones back off (×2, ×10, ×60, ×240).</summary>
    public TimeSpan RefundQueryFirstAfter { get; set; } = TimeSpan.FromSeconds(30);

    public SandboxOptions Sandbox { get; set; } = new();

    public sealed class SandboxOptions
    {
        /// <summary>Signs sandbox notifications; derived from Merchant:NotifySecret when empty.</summary>
        public string? Secret { get; set; }

        public override string ToString() => "Secret=***";
    }
}

internal sealed class PaymentsOptionsValidator : IValidateOptions<PaymentsOptions>
{
    public ValidateOptionsResult Validate(string? name, PaymentsOptions options)
    {
        List<string> failures = [];
        if (!PaymentsOptions.Implemented.Contains(options.Provider, StringComparer.OrdinalIgnoreCase))
        {
            failures.Add($"Payments:Provider must be one of: {string.Join(", ", PaymentsOptions.Implemented)}.");
        }

        if (options.QueryFirstAfter < TimeSpan.FromMilliseconds(100) || options.QueryFirstAfter > TimeSpan.FromMinutes(10))
        {
            failures.Add("Payments:QueryFirstAfter must be between 100 ms and 10 minutes.");
        }

        failures.Between("Payments:RefundDeadline", options.RefundDeadline, TimeSpan.FromSeconds(1), TimeSpan.FromDays(30));
        failures.Between("Payments:RefundConfirmDeadline", options.RefundConfirmDeadline, TimeSpan.FromSeconds(1), TimeSpan.FromDays(30));
        failures.Between("Payments:RefundQueryFirstAfter", options.RefundQueryFirstAfter, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10));
        failures.Secret("Payments:Sandbox:Secret", options.Sandbox.Secret, required: false);
        return failures.ToResult();
    }
}

/// <summary>Finds providers by name (case-insensitive); the configured one takes new payments.</summary>
public sealed class PaymentProviders(IEnumerable<IPaymentProvider> providers, IOptions<PaymentsOptions> options)
{
    private readonly Dictionary<string, IPaymentProvider> _byName =
        providers.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    public IPaymentProvider Current => Get(options.Value.Provider)
        ?? throw new InvalidOperationException($"Payments:Provider '{options.Value.Provider}' is not a known provider.");

    public bool SandboxEnabled => string.Equals(options.Value.Provider, SandboxProvider.ProviderName, StringComparison.OrdinalIgnoreCase);

    public IPaymentProvider? Get(string name) => _byName.GetValueOrDefault(name);

    public IPaymentProvider Of(Payment payment) => Get(payment.Provider)
        ?? throw new InvalidOperationException($"Payment provider '{payment.Provider}' of trade {payment.TradeId} is not registered.");
}
