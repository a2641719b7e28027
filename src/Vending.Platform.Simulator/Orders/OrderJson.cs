using System.Text.Json.Nodes;
using Vending.Platform.Simulator.Platform;
using Vending.Platform.Simulator.State;

namespace Vending.Platform.Simulator.Orders;

internal static class OrderJson
{
    public static JsonObject Platform(Order order) => new()
    {
        ["order_id"] = order.Id,
        ["trade_id"] = order.TradeId,
        ["date"] = PlatformFormat.Date(order.CreatedAt),
        ["amount"] = PlatformFormat.Money(order.AmountFen),
        ["status"] = order.Status,
        ["notify_send_count"] = order.NotifySendCount,
        ["records"] = new JsonArray(order.Records.Select(r => (JsonNode?)new JsonObject
        {
            ["id"] = r.Id,
            ["product_id"] = r.ProductId,
            ["quantity"] = r.Quantity,
            ["price"] = PlatformFormat.Money(r.PriceFen),
            ["status"] = r.Status,
            ["notify_sent"] = r.NotifySent ? "1" : null,
        }).ToArray()),
        ["pickup_code_id"] = order.PickupCodeId,
    };
}
