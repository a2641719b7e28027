namespace Vending.Platform.Simulator;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Order {OrderId} created on machine {MachineNo} with {Records} record(s)")]
    public static partial void OrderCreated(ILogger logger, long orderId, string machineNo, int records);

    [LoggerMessage(2, LogLevel.Information, "Order {OrderId} is now {Status}")]
    public static partial void OrderUpdated(ILogger logger, long orderId, string status);

    [LoggerMessage(3, LogLevel.Information, "Unpaid order {OrderId} on machine {MachineNo} expired")]
    public static partial void OrderExpired(ILogger logger, long orderId, string machineNo);

    [LoggerMessage(4, LogLevel.Information, "Dispense {DeliveryId} started on machine {MachineNo} for order {OrderId} record {RecordId}")]
    public static partial void DispenseAccepted(ILogger logger, string machineNo, long orderId, long recordId, string deliveryId);

    [LoggerMessage(5, LogLevel.Information, "Dispense refused on machine {MachineNo} for order {OrderId} record {RecordId}: code {Code}")]
    public static partial void DispenseRefused(ILogger logger, string? machineNo, string? orderId, string? recordId, int code);

    [LoggerMessage(6, LogLevel.Information, "Dispense {DeliveryId} on machine {MachineNo} finished: {Outcome}")]
    public static partial void DispenseFinished(ILogger logger, string machineNo, string deliveryId, string outcome);

    [LoggerMessage(7, LogLevel.Information, "Callback for order {OrderId} record {RecordId}: {Result}")]
    public static partial void CallbackSent(ILogger logger, long orderId, long recordId, string result);

    [LoggerMessage(8, LogLevel.Information, "Pickup code {PickupCodeId} consumed into order {OrderId} on machine {MachineNo}")]
    public static partial void PickupCodeConsumed(ILogger logger, long pickupCodeId, long orderId, string machineNo);

    [LoggerMessage(9, LogLevel.Information, "Machine {MachineNo}: {Count} slot(s) restocked")]
    public static partial void Restocked(ILogger logger, string machineNo, int count);

    [LoggerMessage(10, LogLevel.Information, "Simulator control: {Action}")]
    public static partial void Control(ILogger logger, string action);
}
