namespace WeChatPay.Simulator;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Prepay {OutTradeNo} ({TradeType}) for {Total} fen")]
    public static partial void Prepaid(ILogger logger, string outTradeNo, string tradeType, long total);

    [LoggerMessage(2, LogLevel.Information, "Order {OutTradeNo} closed")]
    public static partial void Closed(ILogger logger, string outTradeNo);

    [LoggerMessage(3, LogLevel.Information, "Order {OutTradeNo} paid: {Amount} fen")]
    public static partial void Paid(ILogger logger, string outTradeNo, long amount);

    [LoggerMessage(4, LogLevel.Information, "Refund {OutRefundNo} of {Amount} fen accepted for {OutTradeNo}")]
    public static partial void RefundAccepted(ILogger logger, string outRefundNo, string outTradeNo, long amount);

    [LoggerMessage(5, LogLevel.Information, "Refund {OutRefundNo} is now {Status}")]
    public static partial void RefundSettled(ILogger logger, string outRefundNo, string status);

    [LoggerMessage(6, LogLevel.Information, "Notification {Id} ({EventType}): {Result}")]
    public static partial void NotificationSent(ILogger logger, string id, string eventType, string result);

    [LoggerMessage(7, LogLevel.Information, "Simulator control: {Action}")]
    public static partial void Control(ILogger logger, string action);
}
