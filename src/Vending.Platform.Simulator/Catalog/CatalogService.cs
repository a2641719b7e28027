using System.Text.Json.Nodes;
using Vending.Platform.Simulator.Platform;
using Vending.Platform.Simulator.State;

namespace Vending.Platform.Simulator.Catalog;

/// <summary>Machines, slots, banners, products and categories as the platform lists them (live stock, no cache).</summary>
internal sealed class CatalogService(SimulatorState state)
{
    private const int MaxBanners = 5;

    public JsonNode Machines()
    {
        lock (state.Gate)
        {
            if (state.Machines.Count == 0)
            {
                throw PlatformErrors.NoMachine();
            }

            return new JsonArray(state.Machines.Values.Select(m => (JsonNode?)CatalogJson.Summary(m)).ToArray());
        }
    }

    public JsonNode Machine(string machineNo)
    {
        lock (state.Gate)
        {
            var machine = state.RequireMachine(machineNo);
            return machine.Online ? CatalogJson.Detail(state, machine) : throw PlatformErrors.MachineOffline();
        }
    }

    public JsonNode Floors(PlatformRequest request)
    {
        var machineNo = request.Require("machine_no");
        var cabinet = request.Optional("cabinet_name");
        lock (state.Gate)
        {
            var machine = state.RequireMachine(machineNo);
            var floors = state.ProductsOf(machine)
                .Where(p => cabinet is null || p.CabinetName == cabinet)
                .GroupBy(p => (p.CabinetName, p.Row))
                .OrderBy(g => g.Key.CabinetName, StringComparer.Ordinal).ThenBy(g => g.Key.Row)
                .Select(g => (JsonNode?)new JsonObject
                {
                    ["cabinet_name"] = g.Key.CabinetName,
                    ["addr"] = g.Key.Row,
                    ["channels"] = new JsonArray(g.OrderBy(p => p.Column).Select(p =>
                    {
                        var channel = CatalogJson.Channel(p);
                        channel["product_id"] = p.Id;
                        channel["product_name"] = p.Name;
                        channel["current_inventory"] = p.Stock;
                        channel["inventory"] = p.Capacity;
                        channel["floor_status"] = p.FloorStatus.ToString(System.Globalization.CultureInfo.InvariantCulture);
                        return (JsonNode?)channel;
                    }).ToArray()),
                });
            return new JsonArray(floors.ToArray());
        }
    }

    public JsonNode Banners(PlatformRequest request)
    {
        var machineNo = request.Require("machine_no");
        lock (state.Gate)
        {
            // CONTRACT §3.1a fixes no order; sort_id descending as for slots, then id, so the five kept are always the same.
            return new JsonArray(state.RequireMachine(machineNo).Banners
                .Where(b => b.IsShown)
                .OrderByDescending(b => b.SortId).ThenBy(b => b.Id)
                .Take(MaxBanners)
                .Select(b => (JsonNode?)CatalogJson.Banner(b)).ToArray());
        }
    }

    public JsonNode Products(PlatformRequest request)
    {
        var machineNo = request.Require("machine_no");
        var page = request.OptionalInt("page") ?? 1;
        var perPage = request.OptionalInt("per_page") ?? 10;
        var categoryId = request.OptionalInt("category_id") ?? 0;
        var cabinet = request.Optional("cabinet_name");
        var addr = request.OptionalInt("addr");
        var selectAll = request.Optional("select_all") == "1";
        if (page < 1 || perPage is < 1 or > 100)
        {
            throw PlatformErrors.Validation("page must be >= 1 and per_page 1-100");
        }

        if (addr is not null && cabinet is not null)
        {
            throw PlatformErrors.Validation("addr cannot be combined with cabinet_name");
        }

        lock (state.Gate)
        {
            var machine = state.RequireMachine(machineNo);
            var items = state.ProductsOf(machine)
                .Where(p => selectAll || p.OnSale)
                .Where(p => selectAll || (addr is { } row ? p.Row == row : p.CabinetName == (cabinet ?? "A")))
                .Where(p => categoryId == 0 || p.CategoryId == categoryId)
                .ToList();
            if (items.Count == 0)
            {
                return new JsonArray();
            }

            var lastPage = (items.Count + perPage - 1) / perPage;
            return new JsonObject
            {
                ["data"] = new JsonArray(items.Skip((page - 1) * perPage).Take(perPage)
                    .Select(p => (JsonNode?)CatalogJson.ProductItem(state, p)).ToArray()),
                ["total"] = items.Count,
                ["current_page"] = page,
                ["last_page"] = lastPage,
                ["per_page"] = perPage,
            };
        }
    }

    public JsonNode Categories(PlatformRequest request)
    {
        var machineNo = request.Require("machine_no");
        lock (state.Gate)
        {
            var machine = state.RequireMachine(machineNo);
            return CatalogJson.Categories(state, state.ProductsOf(machine));
        }
    }
}
