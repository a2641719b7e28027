using Vending.Platform;

namespace Merchant.Api.Errors;

/// <summary>How a platform refusal reads to a storefront: a stable code, never the platform's internals.</summary>
public static class PlatformProblems
{
    public static ApiProblem ToProblem(this PlatformException e) => e.Category switch
    {
        PlatformErrorCategory.MachineNotFound => new(404, "machine_not_found", "The machine is not known to the platform."),
        PlatformErrorCategory.MachineOffline => new(409, "machine_offline", "The machine is offline; try again when it is back."),
        PlatformErrorCategory.OffSale => new(422, "product_off_sale", "A product is not on sale on this machine."),
        PlatformErrorCategory.InsufficientStock => new(409, "insufficient_stock", "The machine does not have enough of a product."),
        PlatformErrorCategory.PickupCodeUsed => new(409, "pickup_code_used", "This pickup code was already used."),
        PlatformErrorCategory.PickupCodesNotEnabled => new(422, "pickup_codes_not_enabled", "Pickup codes are not enabled on this machine."),
        _ => ApiProblem.PlatformUnavailable("The platform did not give a definitive answer; nothing was charged. Please try again."),
    };
}
