using System.Text.Json;
using System.Text.Json.Nodes;
using Vending.Platform.Simulator.Platform;
using Vending.Platform.Simulator.State;

namespace Vending.Platform.Simulator.Orders;

/// <summary>Create, query and pay/cancel orders (CONTRACT §3.3–3.5).</summary>
internal sealed class OrderService(SimulatorState state)
{
    private const int MaxTradeIdLength = 32;

    public JsonNode Create(PlatformRequest request)
    {
        var body = request.Json;
        var machineNo = Text(body, "machine_no") ?? throw PlatformErrors.Validation("machine_no is required");
        var notifyUrl = PlatformRequest.CheckUrl(
            "notify_url", Text(body, "notify_url") ?? throw PlatformErrors.Validation("notify_url is required"));
        var tradeId = Text(body, "trade_id") ?? throw PlatformErrors.Validation("trade_id is required");
        if (tradeId.Length > MaxTradeIdLength)
        {
            throw PlatformErrors.Validation($"trade_id must be at most {MaxTradeIdLength} characters");
        }

        var lines = Lines(body);
        lock (state.Gate)
        {
            state.TickUnlocked();
            var now = state.Clock.Now;
            if (state.TradeIds.ContainsKey(tradeId))
            {
                throw PlatformErrors.TradeIdExists();
            }

            var machine = state.RequireMachine(machineNo);
            if (!machine.Online)
            {
                throw PlatformErrors.MachineOffline();
            }

            if (!machine.Operating)
            {
                throw PlatformErrors.MachineNotOperating();
            }

            var products = lines.Select(l => state.RequireProduct(l.ProductId, machineNo)).ToList();
            if (products.Any(p => !p.OnSale))
            {
                throw PlatformErrors.ProductOffSale();
            }

            // Every line is checked before any stock is held.
            foreach (var group in lines.GroupBy(l => l.ProductId))
            {
                if (state.Products[group.Key].Stock < group.Sum(l => l.Quantity))
                {
                    throw PlatformErrors.InsufficientStock();
                }
            }

            var order = new Order
            {
                Id = state.NewOrderId(),
                MachineNo = machineNo,
                TradeId = tradeId,
                NotifyUrl = notifyUrl,
                CreatedAt = now,
                Status = OrderStatus.NotPay,
            };
            foreach (var (line, product) in lines.Zip(products))
            {
                product.Stock -= line.Quantity;
                order.Records.Add(new OrderRecord
                {
                    Id = state.NewRecordId(),
                    ProductId = product.Id,
                    Quantity = line.Quantity,
                    PriceFen = product.PriceFen * line.Quantity,
                    HeldQuantity = line.Quantity,
                });
            }

            state.Orders[order.Id] = order;
            state.TradeIds[tradeId] = order.Id;
            state.UnpaidOrders.Add(order.Id);
            Log.OrderCreated(state.Logger, order.Id, machineNo, order.Records.Count);
            return new JsonObject { ["order_id"] = order.Id };
        }
    }

    public JsonNode Query(PlatformRequest request)
    {
        var orderId = request.RouteLong("order_id");
        var machineNo = request.Require("machine_no");
        lock (state.Gate)
        {
            state.TickUnlocked();
            return OrderJson.Platform(state.RequireOrder(orderId, machineNo));
        }
    }

    public JsonNode Update(PlatformRequest request)
    {
        var orderId = request.RouteLong("order_id");
        var machineNo = request.Require("machine_no");
        var code = request.RequireInt("status");
        var target = OrderStatus.FromUpdateCode(code) ?? throw PlatformErrors.Validation("status must be 1-6");
        lock (state.Gate)
        {
            state.TickUnlocked();
            var now = state.Clock.Now;
            var order = state.RequireOrder(orderId, machineNo);
            if (order.ExpiredByLifetime)
            {
                throw PlatformErrors.OrderExpired();
            }

            if (order.Status != OrderStatus.NotPay)
            {
                throw PlatformErrors.OrderStatusInvalid();
            }

            if (target == OrderStatus.Success)
            {
                OrderLifecycle.Pay(state, order, now);
            }
            else
            {
                // USERPAYING too: CONTRACT §3.5 says any value but 1 invalidates the order.
                OrderLifecycle.Close(state, order, target, now);
            }

            Log.OrderUpdated(state.Logger, order.Id, order.Status);
            return JsonValue.Create("");
        }
    }

    private static List<(long ProductId, int Quantity)> Lines(JsonElement body)
    {
        if (!body.TryGetProperty("products", out var products)
            || products.ValueKind != JsonValueKind.Array
            || products.GetArrayLength() == 0)
        {
            throw PlatformErrors.Validation("products is required");
        }

        var lines = new List<(long, int)>();
        foreach (var item in products.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw PlatformErrors.Validation("products must be objects");
            }

            var productId = PlatformRequest.ParseLong(
                "product_id", Text(item, "product_id") ?? throw PlatformErrors.Validation("product_id is required"));
            var quantity = PlatformRequest.ParseInt(
                "quantity", Text(item, "quantity") ?? throw PlatformErrors.Validation("quantity is required"));
            if (productId <= 0 || quantity <= 0)
            {
                throw PlatformErrors.Validation("product_id and quantity must be positive");
            }

            lines.Add((productId, quantity));
        }

        return lines;
    }

    private static string? Text(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value))
        {
            return null;
        }

        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
        return string.IsNullOrWhiteSpace(text) ? null : text;
    }
}
