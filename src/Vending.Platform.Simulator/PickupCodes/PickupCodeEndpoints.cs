using Vending.Platform.Simulator.Platform;

namespace Vending.Platform.Simulator.PickupCodes;

internal static class PickupCodeEndpoints
{
    public static void MapPickupCodes(this IEndpointRouteBuilder api)
    {
        api.MapPlatform("POST", "/pickup_codes", "pickup_codes.create", BodyKind.Signed,
            r => r.Service<PickupCodeService>().Generate(r));
        api.MapPlatform("POST", "/products/{product_id}/pickup_code", "pickup_codes.query", BodyKind.Signed,
            r => r.Service<PickupCodeService>().Query(r));
        api.MapPlatform("PUT", "/pickup_codes", "pickup_codes.cancel", BodyKind.Signed,
            r => r.Service<PickupCodeService>().Cancel(r));
        api.MapPlatform("POST", "/consumes", "consumes", BodyKind.Signed, r => r.Service<PickupCodeService>().Redeem(r));
    }
}
