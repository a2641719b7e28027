namespace Merchant.Api.Jobs;

/// <summary>Every kind of durable work, with how long it may keep trying.</summary>
public static class JobKinds
{
    public const string CreateOrder = "create_order";
    public const string ConsumePickup = "consume_pickup";
    public const string ConfirmPaid = "confirm_paid";
    public const string CloseOrder = "close_order";
    public const string ClosePayment = "close_payment";
    public const string ExpireTrade = "expire_trade";
    public const string Dispense = "dispense_line";
    public const string Poll = "poll_line";
    public const string Refund = "refund_line";
    public const string RefundQuery = "query_refund";
    public const string QueryPayment = "query_payment";
    public const string SandboxNotify = "sandbox_notify";
    public const string TestDispense = "test_dispense";
    public const string TestDispensePoll = "poll_test_dispense";

    // Maintenance (decision 0023): one pending row of each at a time, kept scheduled by the maintenance sweep.
    public const string Retention = "retention";
    public const string ReconcileCounters = "reconcile_counters";
}
