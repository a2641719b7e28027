using Microsoft.Extensions.Logging;

namespace WeChatPay;

// Ids, outcome and timing only: never headers, bodies, keys or signatures.
internal static partial class Log
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug,
        Message = "WeChat Pay {Operation} ok for out_trade_no {OutTradeNo} out_refund_no {OutRefundNo} in {ElapsedMs} ms (attempt {Attempt})")]
    public static partial void CallSucceeded(ILogger logger, string operation, string? outTradeNo, string? outRefundNo, long elapsedMs, int attempt);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning,
        Message = "WeChat Pay {Operation} failed for out_trade_no {OutTradeNo} out_refund_no {OutRefundNo} in {ElapsedMs} ms (attempt {Attempt}): {Category}, code {WeChatCode}, HTTP {HttpStatus}, outcome unknown {OutcomeUnknown}")]
    public static partial void CallFailed(
        ILogger logger,
        Exception? transportError,
        string operation,
        string? outTradeNo,
        string? outRefundNo,
        long elapsedMs,
        int attempt,
        WeChatPayErrorCategory category,
        string weChatCode,
        int? httpStatus,
        bool outcomeUnknown);

    // WeChat Pay echoes the message it expected us to sign: it tells which line differs and holds no key.
    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "WeChat Pay refused the signature of {Operation}; it expected: {Detail}")]
    public static partial void SignErrorDetail(ILogger logger, string operation, string detail);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning,
        Message = "WeChat Pay {Operation} for out_trade_no {OutTradeNo} out_refund_no {OutRefundNo} gave up: {Reason} (outcome unknown {OutcomeUnknown})")]
    public static partial void CallGaveUp(ILogger logger, string operation, string? outTradeNo, string? outRefundNo, string reason, bool outcomeUnknown);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "WeChat Pay answer to {Operation} failed verification: {Verification}, serial {Serial}")]
    public static partial void AnswerUnverified(ILogger logger, string operation, WeChatPayVerification verification, string? serial);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "WeChat Pay platform certificates refreshed: {Serials}")]
    public static partial void CertificatesRefreshed(ILogger logger, string serials);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "WeChat Pay platform certificates could not be refreshed; keeping {Count} known")]
    public static partial void CertificateRefreshFailed(ILogger logger, Exception error, int count);

    /// <summary>A serial is whatever the sender chose: a bounded excerpt is enough to recognise it.</summary>
    public static string? Excerpt(string? serial) => serial is { Length: > 64 } ? serial[..64] : serial;

    [LoggerMessage(EventId = 2008, Level = LogLevel.Warning,
        Message = "WeChat Pay notification {NotificationId} refused: {Failure}, serial {Serial}")]
    public static partial void NotificationRefused(ILogger logger, string? notificationId, WeChatPayNotificationFailure failure, string? serial);
}
