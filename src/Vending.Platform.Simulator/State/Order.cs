namespace Vending.Platform.Simulator.State;

internal static class OrderStatus
{
    public const string NotPay = "NOTPAY";
    public const string Success = "SUCCESS";
    public const string Refund = "REFUND";
    public const string Closed = "CLOSED";
    public const string Revoked = "REVOKED";
    public const string UserPaying = "USERPAYING";
    public const string PayError = "PAYERROR";
    public const string PickupCode = "PICKUPCODE";
    public const string TestPay = "TESTPAY";

    public static string? FromUpdateCode(int code) => code switch
    {
        1 => Success,
        2 => Refund,
        3 => Closed,
        4 => Revoked,
        5 => UserPaying,
        6 => PayError,
        _ => null,
    };

    public static bool IsDispensable(string status) => status is Success or PickupCode;
}

internal static class RecordStatus
{
    public const string WaitingPickedUp = "WAITING_PICKED_UP";
    public const string IsDelivering = "IS_DELIVERING";
    public const string IsSuccess = "IS_SUCCESS";
    public const string IsFailed = "IS_FAILED";
    public const string IsTimeout = "IS_TIMEOUT";
}

internal sealed class Order
{
    public required long Id { get; init; }

    public required string MachineNo { get; init; }

    public required string TradeId { get; init; }

    public string? NotifyUrl { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required string Status { get; set; }

    public List<OrderRecord> Records { get; } = [];

    public long? PickupCodeId { get; init; }

    public bool ExpiredByLifetime { get; set; }

    public DateTimeOffset? PaidAt { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    public int NotifySendCount { get; set; }

    public long AmountFen => Records.Sum(r => r.PriceFen);

    public int StockHeld => Records.Sum(r => r.HeldQuantity);
}

internal sealed class OrderRecord
{
    public required long Id { get; init; }

    public required long ProductId { get; init; }

    public required int Quantity { get; init; }

    public required long PriceFen { get; init; }

    public string? Status { get; set; }

    public bool NotifySent { get; set; }

    // Units taken from machine stock and not yet dispensed or returned.
    public int HeldQuantity { get; set; }

    public string? DeliveryId { get; set; }
}

internal sealed class PickupCode
{
    public required long Id { get; init; }

    public required string Code { get; init; }

    public required string MachineNo { get; init; }

    public required long ProductId { get; init; }

    public required int Quantity { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public long? UsedOrderId { get; set; }

    public bool Cancelled { get; set; }

    public bool IsExpired(DateTimeOffset now) => ExpiresAt is { } at && at <= now;

    public string StatusAt(DateTimeOffset now) =>
        UsedOrderId is not null ? "USED" : IsExpired(now) ? "EXPIRED" : "UNUSED";
}
