using System.Text.Json.Nodes;

namespace Vending.Platform.Simulator.Platform;

/// <summary>A platform failure, answered as the failure envelope (HTTP 200 unless stated).</summary>
internal sealed class PlatformException(int code, string message, JsonObject? data = null) : Exception(message)
{
    public int Code { get; } = code;

    public JsonObject? Hint { get; } = data;
}

internal static class PlatformErrors
{
    public static PlatformException Validation(string detail) => new(10001, $"form validation failed: {detail}");

    public static PlatformException SignInvalid() => new(4006, "payload sign invalid");

    public static PlatformException NoMachine() => new(30001, "no machine linked");

    public static PlatformException MachineOffline() => new(30002, "machine offline");

    public static PlatformException MachineNotFound() => new(30003, "machine not found");

    public static PlatformException MachineNotOperating() => new(30004, "machine not operating");

    public static PlatformException MachineBusy() => new(30005, "machine busy");

    public static PlatformException OrderExpired() => new(40005, "order expired");

    public static PlatformException OrderStatusInvalid() => new(40006, "order status invalid");

    public static PlatformException ProductOffSale() => new(60002, "product off sale");

    public static PlatformException InsufficientStock() => new(60003, "insufficient stock");

    public static PlatformException RecordNotFound(string message = "record not found") => new(80002, message);

    public static PlatformException NotFound() => new(404, "not found");

    public static PlatformException TradeIdExists() => new(6040, "trade id exists");

    public static PlatformException ProductNotFound() => new(6045, "product not found");

    public static PlatformException PickupCodesDisabled() => new(10023, "pickup code not enabled");

    public static PlatformException PickupCodeUsed(long orderId) =>
        new(10025, "pickup code already used", new JsonObject { ["order_id"] = orderId });

    // Quirks: failures the platform reports with code 0.
    public static PlatformException OrderUnpaid() => new(0, "订单未支付");

    public static PlatformException OverCapacity() => new(0, "超出货道最大库存");
}
