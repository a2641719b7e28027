namespace Vending.Platform;

public enum RestockScope
{
    Product,
    Category,
    Machine,
}

/// <summary>Sets stock for one product, one category, or the whole machine (optionally one cabinet or addr); never above slot capacity.</summary>
public sealed record RestockRequest
{
    private RestockRequest(string machineNo, RestockScope scope)
    {
        MachineNo = machineNo;
        Scope = scope;
    }

    public string MachineNo { get; }

    public RestockScope Scope { get; }

    public long? ProductId { get; private init; }

    public long? CategoryId { get; private init; }

    public int? CurrentInventory { get; private init; }

    public string? CabinetName { get; private init; }

    public string? Addr { get; private init; }

    internal string Method => Scope switch
    {
        RestockScope.Product => "replenishment.product.id",
        RestockScope.Category => "replenishment.category.id",
        _ => "replenishment.machine.all",
    };

    public static RestockRequest ForProduct(string machineNo, long productId, int currentInventory) =>
        new(machineNo, RestockScope.Product) { ProductId = productId, CurrentInventory = currentInventory };

    public static RestockRequest ForCategory(string machineNo, long categoryId, int currentInventory, string? cabinetName = null, string? addr = null) =>
        new(machineNo, RestockScope.Category) { CategoryId = categoryId, CurrentInventory = currentInventory, CabinetName = cabinetName, Addr = addr };

    public static RestockRequest ForMachine(string machineNo, string? cabinetName = null, string? addr = null) =>
        new(machineNo, RestockScope.Machine) { CabinetName = cabinetName, Addr = addr };
}
