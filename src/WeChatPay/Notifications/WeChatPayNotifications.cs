using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WeChatPay;

/// <summary>
/// Reads a WeChat Pay notification (§3): the signature and timestamp window by <see cref="WeChatPaySignatureVerifier"/>,
/// then the resource decrypted with the APIv3 key and parsed into the events Merchant handles. Hostile input gives a
/// refusal with a reason, never an exception.
/// </summary>
public sealed class WeChatPayNotifications(WeChatPaySignatureVerifier verifier, IOptions<WeChatPayOptions> options, ILogger<WeChatPayNotifications> logger)
{
    public const string TransactionSuccess = "TRANSACTION.SUCCESS";
    public const string RefundEventPrefix = "REFUND.";

    public async Task<WeChatPayNotificationResult> ReadAsync(WeChatPaySignatureHeaders headers, ReadOnlyMemory<byte> rawBody, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(headers);

        var verification = await verifier.VerifyAsync(headers, rawBody, cancellationToken).ConfigureAwait(false);
        if (verification != WeChatPayVerification.Valid)
        {
            return Refused(null, headers, FailureOf(verification), $"signature: {verification}");
        }

        if (Parse<NotificationBody>(rawBody.Span) is not { } body)
        {
            return Refused(null, headers, WeChatPayNotificationFailure.Malformed, "the body is not a WeChat Pay notification");
        }

        var resource = body.Resource;
        if (resource.Algorithm != WeChatPayAead.Algorithm
            || !WeChatPayAead.TryDecrypt(options.Value.ApiV3Key, resource.Nonce, resource.AssociatedData, resource.Ciphertext, out var plaintext))
        {
            return Refused(body.Id, headers, WeChatPayNotificationFailure.Undecryptable, "the resource did not decrypt with the APIv3 key");
        }

        WeChatPayNotification? notification = body.EventType switch
        {
            TransactionSuccess => Parse<WeChatPayTransaction>(plaintext) is { } transaction
                ? new WeChatPayTransactionNotification(body.Id, body.EventType, body.CreateTime, body.Summary, transaction)
                : null,
            _ when body.EventType.StartsWith(RefundEventPrefix, StringComparison.Ordinal) => Parse<WeChatPayRefundNotice>(plaintext) is { } refund
                ? new WeChatPayRefundNotification(body.Id, body.EventType, body.CreateTime, body.Summary, refund)
                : null,
            _ => new WeChatPayNotification(body.Id, body.EventType, body.CreateTime, body.Summary),
        };
        return notification is null
            ? Refused(body.Id, headers, WeChatPayNotificationFailure.Malformed, $"the {body.EventType} resource is not the event's shape")
            : new WeChatPayNotificationResult(notification, WeChatPayNotificationFailure.None, "");
    }

    private static T? Parse<T>(ReadOnlySpan<byte> json)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, WeChatPayJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private WeChatPayNotificationResult Refused(string? id, WeChatPaySignatureHeaders headers, WeChatPayNotificationFailure failure, string reason)
    {
        Log.NotificationRefused(logger, id, failure, Log.Excerpt(headers.Serial));
        return new WeChatPayNotificationResult(null, failure, reason);
    }

    private static WeChatPayNotificationFailure FailureOf(WeChatPayVerification verification) => verification switch
    {
        WeChatPayVerification.MissingHeaders => WeChatPayNotificationFailure.MissingHeaders,
        WeChatPayVerification.Probe => WeChatPayNotificationFailure.Probe,
        WeChatPayVerification.StaleTimestamp => WeChatPayNotificationFailure.StaleTimestamp,
        WeChatPayVerification.UnknownSerial => WeChatPayNotificationFailure.UnknownSerial,
        _ => WeChatPayNotificationFailure.BadSignature,
    };
}
