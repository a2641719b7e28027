using System.Text.Json.Nodes;
using Vending.Platform.Simulator.Platform;

namespace Vending.Platform.Simulator.Catalog;

internal static class CatalogEndpoints
{
    public static void MapCatalog(this IEndpointRouteBuilder api)
    {
        api.MapPlatform("POST", "/ping", "ping", BodyKind.None, _ => JsonValue.Create("pong"));
        api.MapPlatform("POST", "/rent/machines", "machines", BodyKind.None, r => r.Service<CatalogService>().Machines());
        api.MapPlatform("POST", "/rent/machines/{machine_no}", "machine", BodyKind.None,
            r => r.Service<CatalogService>().Machine(r.Route("machine_no")));
        api.MapPlatform("POST", "/floors", "floors", BodyKind.Signed, r => r.Service<CatalogService>().Floors(r));
        api.MapPlatform("POST", "/banners", "banners", BodyKind.Signed, r => r.Service<CatalogService>().Banners(r));
        api.MapPlatform("POST", "/products", "products", BodyKind.Signed, r => r.Service<CatalogService>().Products(r));
        api.MapPlatform("POST", "/categories", "categories", BodyKind.Signed, r => r.Service<CatalogService>().Categories(r));
    }
}
