using System.Collections.Frozen;

namespace Vending.Platform;

// Unknown is 0 so that an omitted status (protobuf drops zero values) reads as Unknown.

public enum PlatformOrderStatus
{
    Unknown = 0,
    NotPay,
    Success,
    Refund,
    Closed,
    Revoked,
    UserPaying,
    PayError,
    PickupCode,
    TestPay,
}

public enum RecordStatus
{
    Unknown = 0,
    WaitingPickedUp,
    IsDelivering,
    IsSuccess,
    IsFailed,
    IsTimeout,
    IsPickedUp,

    /// <summary>Cancelled or returned.</summary>
    IsRefund,
}

public enum PickupCodeStatus
{
    Unknown = 0,
    Unused,
    Used,
    Expired,
}

/// <summary>Maps the platform's status texts (any case, with or without underscores, older Chinese variants) to enums and back.</summary>
public static class PlatformStatuses
{
    private static readonly FrozenDictionary<string, PlatformOrderStatus> OrderStatuses = new Dictionary<string, PlatformOrderStatus>
    {
        ["NOTPAY"] = PlatformOrderStatus.NotPay,
        ["SUCCESS"] = PlatformOrderStatus.Success,
        ["REFUND"] = PlatformOrderStatus.Refund,
        ["CLOSED"] = PlatformOrderStatus.Closed,
        ["REVOKED"] = PlatformOrderStatus.Revoked,
        ["USERPAYING"] = PlatformOrderStatus.UserPaying,
        ["PAYERROR"] = PlatformOrderStatus.PayError,
        ["PICKUPCODE"] = PlatformOrderStatus.PickupCode,
        ["TESTPAY"] = PlatformOrderStatus.TestPay,
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<string, RecordStatus> RecordStatuses = new Dictionary<string, RecordStatus>
    {
        ["WAITINGPICKEDUP"] = RecordStatus.WaitingPickedUp,
        ["ISDELIVERING"] = RecordStatus.IsDelivering,
        ["ISSUCCESS"] = RecordStatus.IsSuccess,
        ["ISFAILED"] = RecordStatus.IsFailed,
        ["ISTIMEOUT"] = RecordStatus.IsTimeout,
        ["ISPICKEDUP"] = RecordStatus.IsPickedUp,
        ["ISREFUND"] = RecordStatus.IsRefund,
        ["订单取消"] = RecordStatus.IsRefund,
        ["已取货"] = RecordStatus.IsPickedUp,
        ["未取货"] = RecordStatus.WaitingPickedUp,
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<string, PickupCodeStatus> PickupCodeStatuses = new Dictionary<string, PickupCodeStatus>
    {
        ["UNUSED"] = PickupCodeStatus.Unused,
        ["USED"] = PickupCodeStatus.Used,
        ["EXPIRED"] = PickupCodeStatus.Expired,
    }.ToFrozenDictionary();

    public static PlatformOrderStatus ParseOrderStatus(string? text) => Lookup(OrderStatuses, text);

    public static RecordStatus ParseRecordStatus(string? text) => Lookup(RecordStatuses, text);

    public static PickupCodeStatus ParsePickupCodeStatus(string? text) => Lookup(PickupCodeStatuses, text);

    public static string ToWire(PlatformOrderStatus status) => status switch
    {
        PlatformOrderStatus.NotPay => "NOTPAY",
        PlatformOrderStatus.Success => "SUCCESS",
        PlatformOrderStatus.Refund => "REFUND",
        PlatformOrderStatus.Closed => "CLOSED",
        PlatformOrderStatus.Revoked => "REVOKED",
        PlatformOrderStatus.UserPaying => "USERPAYING",
        PlatformOrderStatus.PayError => "PAYERROR",
        PlatformOrderStatus.PickupCode => "PICKUPCODE",
        PlatformOrderStatus.TestPay => "TESTPAY",
        _ => "UNKNOWN",
    };

    public static string ToWire(RecordStatus status) => status switch
    {
        RecordStatus.WaitingPickedUp => "WAITING_PICKED_UP",
        RecordStatus.IsDelivering => "IS_DELIVERING",
        RecordStatus.IsSuccess => "IS_SUCCESS",
        RecordStatus.IsFailed => "IS_FAILED",
        RecordStatus.IsTimeout => "IS_TIMEOUT",
        RecordStatus.IsPickedUp => "IS_PICKED_UP",
        RecordStatus.IsRefund => "IS_REFUND",
        _ => "UNKNOWN",
    };

    public static string ToWire(PickupCodeStatus status) => status switch
    {
        PickupCodeStatus.Unused => "UNUSED",
        PickupCodeStatus.Used => "USED",
        PickupCodeStatus.Expired => "EXPIRED",
        _ => "UNKNOWN",
    };

    private static T Lookup<T>(FrozenDictionary<string, T> table, string? text)
        where T : struct, Enum
    {
        var key = text?.Trim().Replace("_", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        return key is not null && table.TryGetValue(key, out var status) ? status : default;
    }
}
