using System.Text.Json.Nodes;
using Vending.Platform.Simulator.Platform;
using Vending.Platform.Simulator.State;

namespace Vending.Platform.Simulator.Replenishments;

/// <summary>Restock (CONTRACT §3.8): sets slot stock; more than the slot holds fails as code 0.</summary>
internal sealed class ReplenishmentService(SimulatorState state)
{
    private const string ByProduct = "replenishment.product.id";
    private const string ByCategory = "replenishment.category.id";
    private const string WholeMachine = "replenishment.machine.all";

    public JsonNode Restock(PlatformRequest request)
    {
        var machineNo = request.Require("machine_no");
        request.RequireMethod(ByProduct, ByCategory, WholeMachine);
        var method = request.Require("method");
        var productId = method == ByProduct ? request.RequireLong("product_id") : 0;
        var categoryId = method == ByCategory ? request.RequireInt("category_id") : 0;
        int? inventory = method == WholeMachine ? null : request.RequireInt("current_inventory");
        var cabinet = request.Optional("cabinet_name");
        var addr = request.OptionalInt("addr");
        if (inventory < 0)
        {
            throw PlatformErrors.Validation("current_inventory must be >= 0");
        }

        lock (state.Gate)
        {
            var machine = state.RequireMachine(machineNo);
            var targets = method switch
            {
                ByProduct => [state.RequireProduct(productId, machineNo)],
                _ => state.ProductsOf(machine)
                    .Where(p => method != ByCategory || p.CategoryId == categoryId)
                    .Where(p => cabinet is null || p.CabinetName == cabinet)
                    .Where(p => addr is null || p.Row == addr)
                    .ToList(),
            };
            if (targets.Count == 0)
            {
                throw PlatformErrors.ProductNotFound();
            }

            if (inventory is { } wanted && targets.Any(p => wanted > p.Capacity))
            {
                throw PlatformErrors.OverCapacity();
            }

            foreach (var product in targets)
            {
                product.Stock = inventory ?? product.Capacity;
            }

            Log.Restocked(state.Logger, machineNo, targets.Count);
            return JsonValue.Create("");
        }
    }
}
