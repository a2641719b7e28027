using System.Text.Json.Serialization;

namespace Vending.Platform;

/// <summary>Sent as plain JSON; <see cref="TradeId"/> is the merchant's unique order number (20–32 chars, preferably numeric).</summary>
public sealed record CreateOrderRequest(string MachineNo, string NotifyUrl, string TradeId, IReadOnlyList<OrderProduct> Products);

public sealed record OrderProduct(long ProductId, int Quantity);

public sealed record CreateOrderResult
{
    public long OrderId { get; init; }
}

public sealed record QueryOrderRequest(string MachineNo, long OrderId);

/// <summary>An order as query-order and consume return it.</summary>
public sealed record PlatformOrder
{
    public long OrderId { get; init; }

    public string TradeId { get; init; } = "";

    /// <summary><c>yyyy-MM-dd</c>.</summary>
    public string Date { get; init; } = "";

    /// <summary>Order total as a decimal string.</summary>
    public string Amount { get; init; } = "";

    public PlatformOrderStatus Status { get; init; }

    public int NotifySendCount { get; init; }

    public IReadOnlyList<OrderRecord> Records { get; init; } = [];

    public long PickupCodeId { get; init; }

    [JsonIgnore]
    public long AmountFen => PlatformMoney.ToFen(Amount);
}

/// <summary>One order line; its id is the record_id that dispense and callbacks use.</summary>
public sealed record OrderRecord
{
    [JsonPropertyName("id")]
    public long RecordId { get; init; }

    public long ProductId { get; init; }

    public int Quantity { get; init; }

    /// <summary>Line total as a decimal string.</summary>
    public string Price { get; init; } = "";

    /// <summary>Unknown until the order is paid.</summary>
    public RecordStatus Status { get; init; }

    [JsonConverter(typeof(FlagStringConverter))]
    public bool NotifySent { get; init; }

    [JsonIgnore]
    public long PriceFen => PlatformMoney.ToFen(Price);
}

public enum OrderUpdateStatus
{
    Paid = 1,
    Refund = 2,
    Closed = 3,
    Revoked = 4,
    UserPaying = 5,
    PaymentFailed = 6,
}

/// <summary><see cref="OrderUpdateStatus.Paid"/> releases the order for dispensing; any other status invalidates it and returns its stock.</summary>
public sealed record UpdateOrderRequest(string MachineNo, long OrderId, OrderUpdateStatus Status);
