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
    ConfirmWithPlatform,
    PlatformRefused,
    StartPickup,
    Complete,
    BeginRefunds,
    FinishRefundsPartially,
    FinishRefundsFully,
    Escalate,
}

public enum LineTrigger
{
    StartDispensing,
    ReportDispensed,
    ReportFailed,
    Escalate,
    Refund,
    Cancel,
}
