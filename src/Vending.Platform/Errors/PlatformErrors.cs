namespace Vending.Platform;

/// <summary>Maps both documented code families, the texts some failures carry instead of a code, and HTTP statuses to one category.</summary>
internal static class PlatformErrors
{
    public const string Ok = "ok";

    public static bool IsSuccess(int code, string message) =>
        code == 0 && string.Equals(message.Trim(), Ok, StringComparison.OrdinalIgnoreCase);

    // Texts win over codes: a duplicate trade id may arrive under a generic validation code, an unpaid order under code 0.
    public static PlatformErrorCategory Categorize(int code, string message) =>
        FromMessage(message) ?? FromCode(code) ?? PlatformErrorCategory.Unknown;

    public static PlatformErrorCategory FromHttpStatus(int status) => status switch
    {
        401 or 403 => PlatformErrorCategory.Auth,
        408 or 429 or >= 500 => PlatformErrorCategory.Transient,
        404 => PlatformErrorCategory.NotFound,
        400 or 422 => PlatformErrorCategory.Validation,
        _ => PlatformErrorCategory.Unknown,
    };

    private static PlatformErrorCategory? FromCode(int code) => code switch
    {
        // 10009 merchant expired and 10010 not verified: the credentials are fine but no call will work until a person acts.
        10008 or 10009 or 10010 or 10013 or 10014 or 4006 => PlatformErrorCategory.Auth,
        10001 or 400 => PlatformErrorCategory.Validation,
        10023 => PlatformErrorCategory.PickupCodesNotEnabled,
        10025 => PlatformErrorCategory.PickupCodeUsed,
        30001 or 30003 => PlatformErrorCategory.MachineNotFound,
        30002 or 30004 => PlatformErrorCategory.MachineOffline,
        30005 => PlatformErrorCategory.MachineBusy, // our simulator's code; the platform documents none
        40005 or 6042 => PlatformErrorCategory.OrderExpired,
        40006 or 6043 or 6049 => PlatformErrorCategory.OrderStatusInvalid,
        // 6045 "product not found" is the product missing from this machine: for a buyer that is the same as off sale.
        60002 or 6045 or 6046 => PlatformErrorCategory.OffSale,
        60003 or 6047 => PlatformErrorCategory.InsufficientStock,
        80002 or 404 => PlatformErrorCategory.NotFound,
        6040 => PlatformErrorCategory.DuplicateTradeId,
        6054 => PlatformErrorCategory.OrderUnpaid,
        _ => null,
    };

    private static PlatformErrorCategory? FromMessage(string message)
    {
        if (Mentions(message, "trade id exists") || Mentions(message, "订单号已存在"))
        {
            return PlatformErrorCategory.DuplicateTradeId;
        }

        if (Mentions(message, "订单未支付") || Mentions(message, "order unpaid"))
        {
            return PlatformErrorCategory.OrderUnpaid;
        }

        if (Mentions(message, "超出货道最大库存"))
        {
            return PlatformErrorCategory.Validation;
        }

        return null;
    }

    private static bool Mentions(string message, string text) => message.Contains(text, StringComparison.OrdinalIgnoreCase);
}
