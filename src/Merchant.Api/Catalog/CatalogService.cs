using Merchant.Api.Hosting;
using Microsoft.Extensions.Caching.Memory;
using Vending.Platform;

namespace Merchant.Api.Catalog;

/// <summary>Machines and their products as the platform sees them, cached for a moment and dropped when a trade moves stock.</summary>
public sealed class CatalogService(IPlatformApi platform, IMemoryCache cache)
{
    private static readonly TimeSpan MachinesFor = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ProductsFor = TimeSpan.FromSeconds(3);
    private const int PageSize = 50;
    private const int MaxPages = 20;

    public async Task<IReadOnlyList<MachineView>> MachinesAsync(CancellationToken cancellationToken) =>
        (await cache.GetOrCreateAsync("machines", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = MachinesFor;
            var machines = await platform.ListMachinesAsync(cancellationToken);
            return (IReadOnlyList<MachineView>)[.. machines.Select(m => new MachineView(m.MachineNo, m.MachineName, m.IsOnline, m.IsOperating, m.Address))];
        }))!;

    public async Task<IReadOnlyList<ProductView>> ProductsAsync(string machineNo, CancellationToken cancellationToken) =>
        (await cache.GetOrCreateAsync(Key(machineNo), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = ProductsFor;
            var products = new List<ProductView>();
            for (var page = 1; page <= MaxPages; page++)
            {
                var result = await platform.GetProductsAsync(new ProductsRequest(machineNo) { Page = page, PerPage = PageSize }, cancellationToken);
                products.AddRange(result.Items.Select(p => new ProductView(
                    p.ProductId, p.Good.Name, Money.ToWire(PlatformMoney.ToFen(p.Good.Price)), PlatformMoney.ToFen(p.Good.Price),
                    p.CurrentInventory, p.Inventory, p.Category.Title, p.Channel.Name)));
                if (result.Items.Count == 0 || page >= result.LastPage)
                {
                    break;
                }
            }

            return (IReadOnlyList<ProductView>)products;
        }))!;

    /// <summary>Stock moved on this machine (an order held or released it): the next read goes to the platform.</summary>
    public void Invalidate(string machineNo) => cache.Remove(Key(machineNo));

    private static string Key(string machineNo) => $"products:{machineNo}";
}

public sealed record MachineView(string MachineNo, string Name, bool Online, bool Operating, string Address);

public sealed record ProductView(long ProductId, string Name, string Price, [property: System.Text.Json.Serialization.JsonIgnore] long PriceFen,
    int Stock, int Capacity, string Category, string Slot);
