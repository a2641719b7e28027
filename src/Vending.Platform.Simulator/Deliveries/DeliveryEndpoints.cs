using Vending.Platform.Simulator.Platform;

namespace Vending.Platform.Simulator.Deliveries;

internal static class DeliveryEndpoints
{
    public static void MapDeliveries(this IEndpointRouteBuilder api)
    {
        api.MapPlatform("POST", "/deliveries", "deliveries", BodyKind.Signed, r => r.Service<DeliveryService>().Dispense(r),
            notExecuted: r => r.Service<DeliveryService>().NotExecuted(r));
        api.MapPlatform("POST", "/deliveries/debug", "deliveries.debug", BodyKind.Signed, r => r.Service<DeliveryService>().Debug(r));
        api.MapPlatform("POST", "/deliveries/{delivery_id}", "deliveries.query", BodyKind.Signed,
            r => r.Service<DeliveryService>().Query(r));
    }
}
