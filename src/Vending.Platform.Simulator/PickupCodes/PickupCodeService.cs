using System.Globalization;
using System.Text.Json.Nodes;
using Vending.Platform.Simulator.Orders;
using Vending.Platform.Simulator.Platform;
using Vending.Platform.Simulator.State;

namespace Vending.Platform.Simulator.PickupCodes;

/// <summary>Pickup codes (CONTRACT §3.6): generate, list, cancel and consume into a PICKUPCODE order.</summary>
internal sealed class PickupCodeService(SimulatorState state)
{
    private const string GenerateOne = "pickup_code.product.id";
    private const string GenerateAll = "pickup_code.product.all";
    private const string DeleteOne = "pickup_code.delete.id";
    private const string DeleteAll = "pickup_code.delete.all";
    private const string Consume = "event.consume.pickup_code";
    private const int MaxCount = 100;

    public JsonNode Generate(PlatformRequest request)
    {
        var machineNo = request.Require("machine_no");
        request.RequireMethod(GenerateOne, GenerateAll);
        var single = request.Require("method") == GenerateOne;
        var productId = single ? request.RequireLong("product_id") : 0;
        var length = request.OptionalInt("code_length") ?? 6;
        var count = request.OptionalInt("count") ?? 1;
        var quantity = request.OptionalInt("quantity") ?? 1;
        DateTimeOffset? expiresAt = null;
        if (request.Optional("expired_at") is { } expiredText)
        {
            expiresAt = PlatformFormat.TryParseChinaTime(expiredText, out var at)
                ? at
                : throw PlatformErrors.Validation("expired_at must be YYYY-MM-DD HH:MM:SS");
        }

        if (length is < 6 or > 10 || count is < 1 or > MaxCount || quantity < 1)
        {
            throw PlatformErrors.Validation($"code_length must be 6-10, count 1-{MaxCount}, quantity >= 1");
        }

        lock (state.Gate)
        {
            var now = state.Clock.Now;
            var machine = state.RequireMachine(machineNo);
            if (!machine.PickupCodesEnabled)
            {
                throw PlatformErrors.PickupCodesDisabled();
            }

            var products = single ? [state.RequireProduct(productId, machineNo)] : state.ProductsOf(machine).ToList();
            var created = new JsonArray();
            foreach (var product in products)
            {
                for (var i = 0; i < count; i++)
                {
                    var code = new PickupCode
                    {
                        Id = state.NewPickupCodeId(),
                        Code = NewCode(machineNo, length),
                        MachineNo = machineNo,
                        ProductId = product.Id,
                        Quantity = quantity,
                        CreatedAt = now,
                        ExpiresAt = expiresAt,
                    };
                    state.PickupCodes[code.Id] = code;
                    var view = View(code, now);
                    view["product_id"] = product.Id;
                    created.Add(view);
                }
            }

            return created;
        }
    }

    public JsonNode Query(PlatformRequest request)
    {
        var productId = request.RouteLong("product_id");
        var machineNo = request.Require("machine_no");
        lock (state.Gate)
        {
            var now = state.Clock.Now;
            state.RequireMachine(machineNo);
            state.RequireProduct(productId, machineNo);
            return new JsonArray(state.PickupCodes.Values
                .Where(c => c.MachineNo == machineNo && c.ProductId == productId && IsLive(c, now))
                .OrderBy(c => c.Id)
                .Select(c => (JsonNode?)View(c, now))
                .ToArray());
        }
    }

    public JsonNode Cancel(PlatformRequest request)
    {
        var machineNo = request.Require("machine_no");
        request.RequireMethod(DeleteOne, DeleteAll);
        var single = request.Require("method") == DeleteOne;
        HashSet<long>? ids = null;
        long? productId = null;
        if (single)
        {
            if (request.Optional("id") is { } idText)
            {
                ids = idText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(t => PlatformRequest.ParseLong("id", t)).ToHashSet();
            }
            else
            {
                productId = request.OptionalLong("product_id") ?? throw PlatformErrors.Validation("id is required");
            }
        }

        lock (state.Gate)
        {
            state.RequireMachine(machineNo);
            var targets = state.PickupCodes.Values
                .Where(c => c.MachineNo == machineNo && !c.Cancelled && c.UsedOrderId is null)
                .Where(c => ids is null || ids.Contains(c.Id))
                .Where(c => productId is null || c.ProductId == productId)
                .ToList();
            if (targets.Count == 0)
            {
                throw PlatformErrors.RecordNotFound();
            }

            foreach (var code in targets)
            {
                code.Cancelled = true;
            }

            return JsonValue.Create("");
        }
    }

    public JsonNode Redeem(PlatformRequest request)
    {
        var machineNo = request.Require("machine_no");
        request.RequireMethod(Consume);
        var codeText = request.Require("code");
        var productId = request.RequireLong("product_id");
        var notifyUrl = PlatformRequest.CheckUrl("notify_url", request.Require("notify_url"));
        var tradeId = request.Require("trade_id");
        lock (state.Gate)
        {
            state.TickUnlocked();
            var now = state.Clock.Now;
            var machine = state.RequireMachine(machineNo);
            if (!machine.Online)
            {
                throw PlatformErrors.MachineOffline();
            }

            var code = state.PickupCodes.Values.FirstOrDefault(c =>
                c.MachineNo == machineNo && c.Code == codeText && !c.Cancelled && c.ProductId == productId)
                ?? throw PlatformErrors.RecordNotFound();
            if (code.UsedOrderId is { } earlier)
            {
                throw PlatformErrors.PickupCodeUsed(earlier);
            }

            if (code.IsExpired(now))
            {
                throw PlatformErrors.RecordNotFound("pickup code expired");
            }

            if (state.TradeIds.ContainsKey(tradeId))
            {
                throw PlatformErrors.TradeIdExists();
            }

            var product = state.RequireProduct(code.ProductId, machineNo);
            if (!product.OnSale)
            {
                throw PlatformErrors.ProductOffSale();
            }

            if (product.Stock < code.Quantity)
            {
                throw PlatformErrors.InsufficientStock();
            }

            var order = new Order
            {
                Id = state.NewOrderId(),
                MachineNo = machineNo,
                TradeId = tradeId,
                NotifyUrl = notifyUrl,
                CreatedAt = now,
                Status = OrderStatus.PickupCode,
                PickupCodeId = code.Id,
            };
            product.Stock -= code.Quantity;
            order.Records.Add(new OrderRecord
            {
                Id = state.NewRecordId(),
                ProductId = product.Id,
                Quantity = code.Quantity,
                PriceFen = product.PriceFen * code.Quantity,
                Status = RecordStatus.WaitingPickedUp,
                HeldQuantity = code.Quantity,
            });
            state.Orders[order.Id] = order;
            state.TradeIds[tradeId] = order.Id;
            code.UsedOrderId = order.Id;
            Log.PickupCodeConsumed(state.Logger, code.Id, order.Id, machineNo);
            return OrderJson.Platform(order);
        }
    }

    private static bool IsLive(PickupCode code, DateTimeOffset now) =>
        !code.Cancelled && code.UsedOrderId is null && !code.IsExpired(now);

    private static JsonObject View(PickupCode code, DateTimeOffset now) => new()
    {
        ["id"] = code.Id,
        ["code"] = code.Code,
        ["status"] = code.StatusAt(now),
        ["created_at"] = PlatformFormat.DateTime(code.CreatedAt),
        ["expired_at"] = code.ExpiresAt is { } at ? PlatformFormat.DateTime(at) : null,
        ["quantity"] = code.Quantity,
    };

    private string NewCode(string machineNo, int length)
    {
        while (true)
        {
            var digits = string.Concat(Enumerable.Range(0, length)
                .Select(i => Random.Shared.Next(i == 0 ? 1 : 0, 10).ToString(CultureInfo.InvariantCulture)));
            if (!state.PickupCodes.Values.Any(c => c.MachineNo == machineNo && c.Code == digits))
            {
                return digits;
            }
        }
    }
}
