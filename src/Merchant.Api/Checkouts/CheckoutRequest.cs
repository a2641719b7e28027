using Merchant.Api.Errors;

namespace Merchant.Api.Checkouts;

/// <summary>A customer's cart at one machine. Prices are not taken from the client: the platform sets them.</summary>
public sealed record CheckoutRequest(string? MachineNo, IReadOnlyList<CheckoutItem>? Items, string? CustomerRef, CheckoutPayment? Payment = null);

public sealed record CheckoutItem(long ProductId, int Quantity);

/// <summary>How the customer will pay (API.md): <c>native</c> (a QR code, the default) or <c>jsapi</c> (inside WeChat, with the payer's openid).</summary>
public sealed record CheckoutPayment(string? Method, string? Openid);

public static class CheckoutValidation
{
    public const int MaxUnits = 20;
    public const int MaxQuantity = 10;

    public static void MachineNo(string? machineNo)
    {
        // CONTRACT §1: 8-digit numeric, longer (14, 16…) for some merchants.
        if (string.IsNullOrEmpty(machineNo) || machineNo.Length is < 6 or > 32 || !machineNo.All(char.IsAsciiDigit))
        {
            throw ApiProblem.Validation("machine_no must be the machine's numeric id (6–32 digits).");
        }
    }

    public static void Validate(CheckoutRequest request)
    {
        MachineNo(request.MachineNo);
        if (request.Items is null || request.Items.Count == 0)
        {
            throw ApiProblem.Validation("items must list at least one product.");
        }

        foreach (var item in request.Items)
        {
            if (item is null || item.ProductId <= 0)
            {
                throw ApiProblem.Validation("Every item needs a positive product_id.");
            }

            if (item.Quantity is < 1 or > MaxQuantity)
            {
                throw ApiProblem.Validation($"quantity must be between 1 and {MaxQuantity}.");
            }
        }

        if (request.Items.Sum(i => i.Quantity) > MaxUnits)
        {
            throw ApiProblem.Validation($"A checkout may hold at most {MaxUnits} items.");
        }

        if (request.CustomerRef is { Length: > 64 } || request.CustomerRef?.Any(char.IsControl) == true)
        {
            throw ApiProblem.Validation("customer_ref may be at most 64 characters, without control characters.");
        }

        Payment(request.Payment);
    }

    public const string Native = "native";
    public const string Jsapi = "jsapi";

    /// <summary>The payment's shape; whether jsapi needs an openid depends on the provider (WeChat Pay does).</summary>
    public static void Payment(CheckoutPayment? payment)
    {
        if (payment?.Method is { } method && method is not (Native or Jsapi))
        {
            throw ApiProblem.Validation("payment.method must be \"native\" or \"jsapi\".");
        }

        // WeChat openids are 28 characters today; allow some room, never anything but the characters they use.
        if (payment?.Openid is { } openid && (openid.Length is 0 or > 128 || !openid.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')))
        {
            throw ApiProblem.Validation("payment.openid must be the payer's WeChat openid (letters, digits, _ and -).");
        }
    }
}
