using Vending.Platform.Simulator.State;

namespace Vending.Platform.Simulator.Catalog;

internal sealed record ProductSpec(
    string Name,
    long PriceFen,
    int Stock,
    int Capacity,
    int CategoryId,
    bool OnSale = true,
    string CabinetName = "A",
    long? Id = null);

internal sealed record BannerSpec(
    int SortId,
    string Status = Banner.Approved,
    bool Visible = true,
    string? CoverImage = null,
    long HitCount = 0,
    long ViewsCount = 0,
    long? Id = null);

internal sealed record MachineSpec(
    string? MachineNo,
    string? Name,
    MachineModel Model,
    IReadOnlyList<ProductSpec> Products,
    bool Online = true,
    bool Operating = true,
    bool PickupCodesEnabled = false,
    int? LockSeconds = null,
    TimeSpan? ResultDelay = null,
    string? Address = null,
    IReadOnlyList<BannerSpec>? Banners = null);

/// <summary>Adds a machine, its slots and its banners; used by the seed and by the control API.</summary>
internal static class MachineFactory
{
    private const int ColumnsPerRow = 9;

    public static Machine Create(SimulatorState state, MachineSpec spec)
    {
        var no = spec.MachineNo ?? state.NewMachineNo();
        var machine = new Machine
        {
            No = no,
            Name = spec.Name ?? $"Sim {MachineModels.Title(spec.Model)} {no}",
            Model = spec.Model,
            Online = spec.Online,
            Operating = spec.Operating,
            PickupCodesEnabled = spec.PickupCodesEnabled,
            LockSeconds = spec.LockSeconds ?? MachineModels.DefaultLockSeconds(spec.Model),
            ResultDelay = spec.ResultDelay,
            Address = spec.Address ?? $"Simulated site {no}",
            CreatedAt = state.Clock.Now,
        };
        var perCabinet = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in spec.Products)
        {
            var index = perCabinet.GetValueOrDefault(item.CabinetName);
            perCabinet[item.CabinetName] = index + 1;
            var product = new Product
            {
                Id = item.Id ?? state.NewProductId(),
                MachineNo = no,
                Name = item.Name,
                PriceFen = item.PriceFen,
                Stock = item.Stock,
                Capacity = item.Capacity,
                CategoryId = item.CategoryId,
                OnSale = item.OnSale,
                CabinetName = item.CabinetName,
                Row = (index / ColumnsPerRow) + 1,
                Column = (index % ColumnsPerRow) + 1,
            };
            state.EnsureCategory(item.CategoryId);
            state.Products[product.Id] = product;
            machine.ProductIds.Add(product.Id);
        }

        machine.Banners.AddRange(Banners(state, spec.Banners ?? []));
        state.Machines[no] = machine;
        return machine;
    }

    public static IReadOnlyList<Banner> Banners(SimulatorState state, IEnumerable<BannerSpec> specs) =>
        specs.Select(spec =>
        {
            var id = spec.Id ?? state.NewBannerId();
            return new Banner(id, spec.Status, spec.Visible, spec.CoverImage ?? $"https://sim.invalid/banners/{id}.jpg",
                spec.SortId, spec.HitCount, spec.ViewsCount);
        }).ToList();
}
