using Vending.Platform.Simulator.Platform;

namespace Vending.Platform.Simulator.Replenishments;

internal static class ReplenishmentEndpoints
{
    public static void MapReplenishments(this IEndpointRouteBuilder api) =>
        api.MapPlatform("POST", "/replenishments", "replenishments", BodyKind.Signed,
            r => r.Service<ReplenishmentService>().Restock(r));
}
