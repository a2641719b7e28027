using System.Text.Json.Nodes;
using Vending.Platform.Simulator.Platform;
using Vending.Platform.Simulator.State;

namespace Vending.Platform.Simulator.Catalog;

internal static class CatalogJson
{
    public static JsonObject Summary(Machine machine) => new()
    {
        ["machine_name"] = machine.Name,
        ["machine_no"] = machine.No,
        ["is_online"] = machine.Online,
        ["status"] = machine.Operating,
        ["address"] = machine.Address,
        ["notify_message"] = "",
        ["lng_lat"] = "121.5065,31.2453",
        ["created_at"] = PlatformFormat.DateTime(machine.CreatedAt),
        ["contact"] = "Sim Operator",
        ["tel"] = "13800000000",
    };

    public static JsonObject Detail(SimulatorState state, Machine machine)
    {
        var products = state.ProductsOf(machine).ToList();
        var detail = Summary(machine);
        detail["model"] = new JsonObject
        {
            ["id"] = MachineModels.Id(machine.Model),
            ["name"] = MachineModels.Title(machine.Model),
            ["cabinet_names"] = new JsonArray(products.Select(p => p.CabinetName).Distinct().Order()
                .Select(c => (JsonNode?)c).ToArray()),
        };
        detail["machine_type"] = 1;
        detail["categories"] = Categories(state, products);
        detail["merchant"] = new JsonObject { ["id"] = 1, ["name"] = "Simulated Merchant" };
        detail["currency"] = new JsonObject
        {
            ["id"] = 1,
            ["name"] = "Chinese Yuan",
            ["code"] = "CNY",
            ["symbol"] = "¥",
        };
        return detail;
    }

    public static JsonArray Categories(SimulatorState state, IEnumerable<Product> products) =>
        new(products.Select(p => p.CategoryId).Distinct().Order()
            .Select(id => (JsonNode?)Category(state.EnsureCategory(id))).ToArray());

    public static JsonObject Category(Category category) => new()
    {
        ["id"] = category.Id,
        ["title"] = category.Title,
    };

    public static JsonObject Channel(Product product) => new()
    {
        ["name"] = product.ChannelName,
        ["cabinet_name"] = product.CabinetName,
        ["code"] = product.Code,
        ["x"] = product.Column,
        ["y"] = product.Row,
        ["addr"] = product.Row,
    };

    public static JsonObject Banner(Banner banner) => new()
    {
        ["id"] = banner.Id,
        ["status"] = banner.Status,
        ["is_visible"] = banner.IsVisible,
        ["cover_image"] = banner.CoverImage,
        ["sort_id"] = banner.SortId,
        ["hit_count"] = banner.HitCount,
        ["views_count"] = banner.ViewsCount,
    };

    public static JsonObject ProductItem(SimulatorState state, Product product) => new()
    {
        ["id"] = product.Id,
        ["category"] = Category(state.EnsureCategory(product.CategoryId)),
        ["good"] = new JsonObject
        {
            ["name"] = product.Name,
            ["description"] = "",
            ["thumb"] = $"https://sim.invalid/thumbs/{product.Id}.png",
            ["price"] = PlatformFormat.Money(product.PriceFen),
            ["original_price"] = PlatformFormat.Money(product.PriceFen),
            ["content"] = "",
            ["good_no"] = $"G{product.Id}",
            ["slug"] = "",
        },
        ["channel"] = Channel(product),
        ["current_inventory"] = product.Stock,
        ["inventory"] = product.Capacity,
    };
}
