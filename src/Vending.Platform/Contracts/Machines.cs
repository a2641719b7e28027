using System.Text.Json.Serialization;

namespace Vending.Platform;

public enum MachineType
{
    Unknown = 0,
    Vending = 1,
    Amusement = 2,
    Claw = 3,
    BorrowLocker = 4,
    ReturnLocker = 5,
    GridLocker = 6,
}

public sealed record MachineSummary
{
    public string MachineName { get; init; } = "";

    public string MachineNo { get; init; } = "";

    public bool IsOnline { get; init; }

    [JsonPropertyName("status")]
    public bool IsOperating { get; init; }

    public string Address { get; init; } = "";

    public string NotifyMessage { get; init; } = "";

    /// <summary><c>"lng,lat"</c>.</summary>
    public string LngLat { get; init; } = "";

    /// <summary><c>yyyy-MM-dd HH:mm:ss</c>, platform local time.</summary>
    public string CreatedAt { get; init; } = "";

    public string Contact { get; init; } = "";

    public string Tel { get; init; } = "";
}

public sealed record MachineDetail
{
    public string MachineName { get; init; } = "";

    public string MachineNo { get; init; } = "";

    public bool IsOnline { get; init; }

    [JsonPropertyName("status")]
    public bool IsOperating { get; init; }

    public string Address { get; init; } = "";

    public string NotifyMessage { get; init; } = "";

    public string LngLat { get; init; } = "";

    public string CreatedAt { get; init; } = "";

    public string Contact { get; init; } = "";

    public string Tel { get; init; } = "";

    public MachineModel Model { get; init; } = new();

    public MachineType MachineType { get; init; }

    public IReadOnlyList<ProductCategory> Categories { get; init; } = [];

    public MachineMerchant Merchant { get; init; } = new();

    public MachineCurrency Currency { get; init; } = new();
}

public sealed record MachineModel
{
    public long Id { get; init; }

    public IReadOnlyList<string> CabinetNames { get; init; } = [];
}

// The docs name the merchant field but not its shape; id and name are a guess, anything else is ignored.
public sealed record MachineMerchant
{
    public long Id { get; init; }

    public string Name { get; init; } = "";
}

public sealed record MachineCurrency
{
    public long Id { get; init; }

    public string Name { get; init; } = "";

    public string Code { get; init; } = "";

    public string Symbol { get; init; } = "";
}

public sealed record FloorsRequest(string MachineNo)
{
    public string? CabinetName { get; init; }
}

// The floors response is undocumented; these are the slot facts the rest of the API talks about.
public sealed record MachineSlot
{
    public long Id { get; init; }

    /// <summary>The slot label, e.g. <c>A21</c>.</summary>
    public string Name { get; init; } = "";

    public string CabinetName { get; init; } = "";

    public string Addr { get; init; } = "";

    public string Code { get; init; } = "";

    public int X { get; init; }

    public int Y { get; init; }

    public long ProductId { get; init; }

    public int Capacity { get; init; }

    public int CurrentInventory { get; init; }

    /// <summary>The product's name, from <c>good.name</c> or <c>product_name</c>.</summary>
    public string ProductName { get; init; } = "";

    /// <summary>0 slot missing, 1 normal, 2 jammed, 3 motor fault, 47 serial timeout; null when the answer does not say.</summary>
    public int? FloorStatus { get; init; }
}
