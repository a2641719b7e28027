using System.Text.Json.Serialization;

namespace Vending.Platform;

/// <summary>One page of a machine's products; <see cref="Addr"/> and <see cref="CabinetName"/> exclude each other.</summary>
public sealed record ProductsRequest(string MachineNo)
{
    public int Page { get; init; } = 1;

    public int PerPage { get; init; } = 10;

    /// <summary>Null or 0 for all categories.</summary>
    public long? CategoryId { get; init; }

    /// <summary>Null leaves the platform's default cabinet (<c>A</c>).</summary>
    public string? CabinetName { get; init; }

    public bool? SelectAll { get; init; }

    /// <summary><c>"1"</c>–<c>"8"</c>.</summary>
    public string? Addr { get; init; }
}

public sealed record ProductPage
{
    [JsonPropertyName("data")]
    public IReadOnlyList<ProductItem> Items { get; init; } = [];

    public int Total { get; init; }

    public int CurrentPage { get; init; }

    public int LastPage { get; init; }

    public int PerPage { get; init; }
}

public sealed record ProductItem
{
    /// <summary>The product_id every other endpoint expects.</summary>
    [JsonPropertyName("id")]
    public long ProductId { get; init; }

    public ProductCategory Category { get; init; } = new();

    public ProductGood Good { get; init; } = new();

    public ProductChannel Channel { get; init; } = new();

    public int CurrentInventory { get; init; }

    /// <summary>The slot's capacity.</summary>
    public int Inventory { get; init; }
}

public sealed record ProductCategory
{
    public long Id { get; init; }

    public string Title { get; init; } = "";
}

public sealed record ProductGood
{
    public string Name { get; init; } = "";

    public string Description { get; init; } = "";

    public string Thumb { get; init; } = "";

    /// <summary>Decimal string as sent, e.g. <c>"3.00"</c>.</summary>
    public string Price { get; init; } = "";

    public string OriginalPrice { get; init; } = "";

    public string Content { get; init; } = "";

    public string GoodNo { get; init; } = "";

    public string Slug { get; init; } = "";

    [JsonIgnore]
    public long PriceFen => PlatformMoney.ToFen(Price);

    [JsonIgnore]
    public long OriginalPriceFen => PlatformMoney.ToFen(OriginalPrice);
}

public sealed record ProductChannel
{
    /// <summary>The slot label, e.g. <c>A21</c>.</summary>
    public string Name { get; init; } = "";

    public string CabinetName { get; init; } = "";

    public string Code { get; init; } = "";

    public int X { get; init; }

    public int Y { get; init; }

    public string Addr { get; init; } = "";
}
