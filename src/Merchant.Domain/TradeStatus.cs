namespace Merchant.Domain;

public enum TradeStatus
{
    Created,
    AwaitingPayment,
    Paid,
    Dispensing,
    Completed,
    PartiallyRefunded,
    Refunded,
    Cancelled,
    Expired,
    Rejected,
    Refunding,
    NeedsAttention,
    Replaced,
}

public enum LineStatus
{
    Pending,
    Dispensing,
    Dispensed,
    Failed,
    Refunded,
    Cancelled,
    NeedsAttention,
    Refunding,
}

public enum TradeKind
{
    Purchase,
    Pickup,
}

public enum TradeTrigger
{
    PlaceOrder,
    Reject,
    Cancel,
    Expire,
    Pay,
    RefuseLatePayment,
    RefuseMismatchedPayment,
    ConfirmWithPlatform,
    PlatformRefused,
    StartPickup,
    Complete,
    BeginRefunds,
    FinishRefundsPartially,
    FinishRefundsFully,
    Escalate,
    Replace,
}

public enum LineTrigger
{
    StartDispensing,
    ReportDispensed,
    ReportFailed,
    Escalate,
    RequestRefund,
    ConfirmRefund,
    Cancel,
}
