using Vending.Platform.Simulator.Platform;

namespace Vending.Platform.Simulator.Orders;

internal static class OrderEndpoints
{
    public static void MapOrders(this IEndpointRouteBuilder api)
    {
        api.MapPlatform("POST", "/orders", "orders.create", BodyKind.Plain, r => r.Service<OrderService>().Create(r));
        api.MapPlatform("POST", "/orders/{order_id}", "orders.query", BodyKind.Signed, r => r.Service<OrderService>().Query(r));
        api.MapPlatform("PUT", "/orders/{order_id}", "orders.update", BodyKind.Signed, r => r.Service<OrderService>().Update(r));
    }
}
