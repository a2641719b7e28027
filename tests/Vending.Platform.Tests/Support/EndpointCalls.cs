namespace Vending.Platform.Tests.Support;

/// <summary>Calls an endpoint by a short name, so one theory can walk all of them.</summary>
internal static class EndpointCalls
{
    public static Task Invoke(IPlatformApi client, string name) => name switch
    {
        "ping" => client.PingAsync(),
        "machines.list" => client.ListMachinesAsync(),
        "machines.get" => client.GetMachineAsync("16327129"),
        "floors" => client.GetFloorsAsync(new FloorsRequest("16327129")),
        "banners" => client.GetBannersAsync("16327129"),
        "products" => client.GetProductsAsync(new ProductsRequest("16327129")),
        "categories" => client.GetCategoriesAsync("16327129"),
        "orders.create" => client.CreateOrderAsync(new CreateOrderRequest("16327129", "https://m.example/n", "20240426123456789012", [new OrderProduct(1, 1)])),
        "orders.query" => client.GetOrderAsync(new QueryOrderRequest("16327129", 60)),
        "orders.update" => client.UpdateOrderAsync(new UpdateOrderRequest("16327129", 60, OrderUpdateStatus.Paid)),
        "pickup_codes.generate.id" => client.GeneratePickupCodesAsync(new GeneratePickupCodesRequest("16327129", 1323442)),
        "pickup_codes.generate.all" => client.GeneratePickupCodesAsync(new GeneratePickupCodesRequest("16327129", null)),
        "pickup_codes.query" => client.GetPickupCodesAsync(new QueryPickupCodesRequest("16327129", 1323442)),
        "pickup_codes.cancel.id" => client.CancelPickupCodesAsync(CancelPickupCodesRequest.ById("16327129", 11)),
        "pickup_codes.cancel.all" => client.CancelPickupCodesAsync(CancelPickupCodesRequest.All("16327129")),
        "pickup_codes.consume" => client.ConsumePickupCodeAsync(new ConsumePickupCodeRequest("16327129", "1234567", 1323442, "https://m.example/n", "20240426123456789012")),
        "deliveries.dispense" => client.DispenseAsync(new DispenseRequest("16327129", 60, 78)),
        "deliveries.query" => client.GetDispenseAsync(new QueryDispenseRequest("16327129", "D-1")),
        "deliveries.debug" => client.DebugDispenseAsync(new DebugDispenseRequest("16327129") { ProductId = 1 }),
        "replenishments.product" => client.RestockAsync(RestockRequest.ForProduct("16327129", 1323442, 5)),
        "replenishments.category" => client.RestockAsync(RestockRequest.ForCategory("16327129", 3, 5)),
        "replenishments.machine" => client.RestockAsync(RestockRequest.ForMachine("16327129")),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };
}
