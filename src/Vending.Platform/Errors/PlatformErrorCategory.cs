namespace Vending.Platform;

public enum PlatformErrorCategory
{
    Unknown = 0,
    Auth,
    MachineOffline,
    MachineNotFound,
    OffSale,
    InsufficientStock,
    OrderExpired,
    OrderStatusInvalid,
    PickupCodeUsed,
    PickupCodesNotEnabled,
    DuplicateTradeId,
    NotFound,
    OrderUnpaid,
    MachineBusy,
    Validation,

    /// <summary>Network failure, timeout, 408, 429 or 5xx: worth repeating if the call is safe to repeat.</summary>
    Transient,
}
