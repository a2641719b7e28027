using System.Collections.Concurrent;
using Merchant.Api.Hosting;
using Merchant.Api.Slots;
using Microsoft.Extensions.Caching.Memory;
using Vending.Platform;

namespace Merchant.Api.Catalog;

/// <summary>
/// Machines and their products as the platform sees them, cached for a moment. Two readers want different things:
/// the products endpoint shows live stock, so a trade that moved stock drops its machine's entry for that reader;
/// a checkout only needs names and that the product is sold there (the platform holds the stock and prices the order),
/// so it keeps using a recent list instead of refetching after every order — that refetch was one `/products` call per
/// checkout (bench/README.md).
/// </summary>
public sealed class CatalogService(IPlatformApi platform, IMemoryCache cache, ProductCache products, SlotHealth slots, TimeProvider clock)
{
    private static readonly TimeSpan MachinesFor = TimeSpan.FromSeconds(10);

    // Banners change only when the merchant edits them in the platform's dashboard: a minute's delay there is invisible,
    // while reading them afresh would cost a platform call on every storefront page view.
    private static readonly TimeSpan BannersFor = TimeSpan.FromMinutes(1);

    /// <summary>How old a list the products endpoint shows (when no trade moved that machine's stock since).</summary>
    public static readonly TimeSpan StockFor = TimeSpan.FromSeconds(3);

    /// <summary>How old a list a checkout accepts: new products and removals show within this.</summary>
    public static readonly TimeSpan ListingFor = TimeSpan.FromSeconds(30);

    private const int PageSize = 50;
    private const int MaxPages = 20;

    public async Task<IReadOnlyList<MachineView>> MachinesAsync(CancellationToken cancellationToken) =>
        (await cache.GetOrCreateAsync("machines", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = MachinesFor;
            var machines = await platform.ListMachinesAsync(cancellationToken);
            return (IReadOnlyList<MachineView>)[.. machines.Select(m => new MachineView(m.MachineNo, m.MachineName, m.IsOnline, m.IsOperating, m.Address))];
        }))!;

    /// <summary>The machine's banners in the order a storefront shows them, at most <see cref="BannersFor"/> old.</summary>
    public async Task<IReadOnlyList<BannerView>> BannersAsync(string machineNo, CancellationToken cancellationToken) =>
        (await cache.GetOrCreateAsync($"banners:{machineNo}", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = BannersFor;
            var banners = await platform.GetBannersAsync(machineNo, cancellationToken);
            // Highest sort_id first, as the platform orders slots (CONTRACT §3.1a); then by id, so equal sorts never swap.
            return (IReadOnlyList<BannerView>)[.. banners.OrderByDescending(b => b.SortId).ThenBy(b => b.Id)
                .Select(b => new BannerView(b.Id, b.CoverImage, b.SortId))];
        }))!;

    /// <summary>
    /// Products with live stock (at most <see cref="StockFor"/> old, and newer than the last stock move), each marked
    /// unavailable while its slot is in fault (DESIGN §2 rule 10) — read from the database each time, so a clear shows at once.
    /// </summary>
    public async Task<IReadOnlyList<ProductView>> ProductsAsync(string machineNo, CancellationToken cancellationToken)
    {
        var list = await products.GetAsync(machineNo, StockFor, honourStockMoves: true, FetchAsync, clock, cancellationToken);
        var faults = await slots.FaultsAsync(machineNo, cancellationToken);
        return faults.Count == 0
            ? list
            : [.. list.Select(p => faults.TryGetValue(p.ProductId, out var slot)
                ? p with { Available = false, UnavailableReason = SlotHealth.UnavailableReason(slot) }
                : p)];
    }

    /// <summary>Products for pricing a checkout: names and ids, up to <see cref="ListingFor"/> old.</summary>
    public Task<IReadOnlyList<ProductView>> ListingAsync(string machineNo, CancellationToken cancellationToken) =>
        products.GetAsync(machineNo, ListingFor, honourStockMoves: false, FetchAsync, clock, cancellationToken);

    /// <summary>Stock moved on this machine (an order held or released it): the next stock read goes to the platform.</summary>
    public void Invalidate(string machineNo) => products.StockMoved(machineNo, clock);

    private async Task<IReadOnlyList<ProductView>> FetchAsync(string machineNo, CancellationToken cancellationToken)
    {
        var list = new List<ProductView>();
        for (var page = 1; page <= MaxPages; page++)
        {
            var result = await platform.GetProductsAsync(new ProductsRequest(machineNo) { Page = page, PerPage = PageSize }, cancellationToken);
            list.AddRange(result.Items.Select(p => new ProductView(
                p.ProductId, p.Good.Name, Money.ToWire(PlatformMoney.ToFen(p.Good.Price)), PlatformMoney.ToFen(p.Good.Price),
                p.CurrentInventory, p.Inventory, p.Category.Title, p.Channel.Name)));
            if (result.Items.Count == 0 || page >= result.LastPage)
            {
                break;
            }
        }

        return list;
    }
}

/// <summary>
/// The per-machine product lists of this process. One fetch per machine at a time: concurrent readers that find no
/// usable entry wait for the same fetch instead of each calling the platform (a crowd at one machine is the busy case).
/// </summary>
public sealed class ProductCache
{
    private const int MaxMachines = 10_000;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _stockMoved = new(StringComparer.Ordinal);

    internal async Task<IReadOnlyList<ProductView>> GetAsync(
        string machineNo, TimeSpan maxAge, bool honourStockMoves,
        Func<string, CancellationToken, Task<IReadOnlyList<ProductView>>> fetch, TimeProvider clock, CancellationToken cancellationToken)
    {
        while (true)
        {
            var now = clock.GetUtcNow();
            var found = _entries.TryGetValue(machineNo, out var entry);
            if (found && Usable(entry!, machineNo, now, maxAge, honourStockMoves))
            {
                // A failed fetch fails its waiters once; the next reader finds it faulted and asks again.
                return await entry!.Products.Value.WaitAsync(cancellationToken);
            }

            // Not the reader's token: other readers share this fetch, and one leaving must not fail it for the rest
            // (the SDK bounds every attempt with its own timeout).
            var fresh = new Entry(now, new(() => fetch(machineNo, CancellationToken.None)));
            if (found ? _entries.TryUpdate(machineNo, fresh, entry!) : _entries.TryAdd(machineNo, fresh))
            {
                Trim();
                return await fresh.Products.Value.WaitAsync(cancellationToken);
            }

            // Another reader put a fetch there first; the next turn of the loop uses it. Ours never started.
        }
    }

    internal void StockMoved(string machineNo, TimeProvider clock) => _stockMoved[machineNo] = clock.GetUtcNow();

    private bool Usable(Entry entry, string machineNo, DateTimeOffset now, TimeSpan maxAge, bool honourStockMoves)
    {
        if (now - entry.StartedAt > maxAge || (entry.Products.IsValueCreated && (entry.Products.Value.IsFaulted || entry.Products.Value.IsCanceled)))
        {
            return false;
        }

        // A fetch that started before the last stock move may show the old stock.
        return !honourStockMoves || !_stockMoved.TryGetValue(machineNo, out var moved) || entry.StartedAt > moved;
    }

    private void Trim()
    {
        // Machine numbers come from requests; bound the memory an enumeration of unknown ones could take.
        if (_entries.Count > MaxMachines)
        {
            _entries.Clear();
            _stockMoved.Clear();
        }
    }

    private sealed record Entry(DateTimeOffset StartedAt, Lazy<Task<IReadOnlyList<ProductView>>> Products);
}

public sealed record MachineView(string MachineNo, string Name, bool Online, bool Operating, string Address);

public sealed record BannerView(long BannerId, string ImageUrl, int Sort);

public sealed record ProductView(long ProductId, string Name, string Price, [property: System.Text.Json.Serialization.JsonIgnore] long PriceFen,
    int Stock, int Capacity, string Category, string Slot)
{
    /// <summary>False while the product's slot is in fault: checkout refuses it (409 <c>slot_fault</c>).</summary>
    public bool Available { get; init; } = true;

    public string? UnavailableReason { get; init; }
}
