using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vending.Platform;

/// <summary>Reads an envelope's <c>data</c> into a contract type, whatever shape the platform chose for "nothing".</summary>
internal static class PlatformData
{
    public static T Read<T>(JsonElement data)
    {
        object? read = typeof(T) switch
        {
            var type when type == typeof(ProductPage) => ReadProductPage(data),
            var type when type == typeof(IReadOnlyList<MachineSlot>) => ReadFloors(data),
            var type when type == typeof(IReadOnlyList<PickupCode>) => ReadPickupCodes(data),
            _ => null,
        };
        if (read is not null)
        {
            return (T)read;
        }

        // A list where the platform sent an object, or an object where it sent [] or "": the empty value, not an error.
        var isList = typeof(T).IsGenericType && typeof(T).GetGenericTypeDefinition() == typeof(IReadOnlyList<>);
        var expected = isList ? JsonValueKind.Array : JsonValueKind.Object;
        return (data.ValueKind == expected ? data.Deserialize<T>(PlatformJson.Options) : default)
            ?? JsonSerializer.Deserialize<T>(isList ? "[]" : "{}", PlatformJson.Options)!;
    }

    // The products endpoint pages, but answers [] when empty; a bare list of items is read as one page.
    private static ProductPage ReadProductPage(JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Array)
        {
            return data.ValueKind == JsonValueKind.Object ? data.Deserialize<ProductPage>(PlatformJson.Options) ?? new ProductPage() : new ProductPage();
        }

        var items = Read<IReadOnlyList<ProductItem>>(data);
        return items.Count == 0
            ? new ProductPage()
            : new ProductPage { Items = items, Total = items.Count, CurrentPage = 1, LastPage = 1, PerPage = items.Count };
    }

    /// <summary>
    /// Floors are undocumented: accept a flat list of slots, or rows that nest their slots under <c>channels</c>
    /// (a slot then inherits its row's cabinet and addr), and read capacity from <c>capacity</c> or <c>inventory</c>,
    /// the slot state from <c>floor_status</c> or <c>status</c>, the product's name from <c>product_name</c> or <c>good.name</c>.
    /// </summary>
    private static IReadOnlyList<MachineSlot> ReadFloors(JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var slots = new JsonArray();
        foreach (var entry in data.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var row = JsonNode.Parse(entry.GetRawText())!.AsObject();
            var channels = row["channels"] as JsonArray;
            foreach (var slot in channels is null ? [row] : channels.OfType<JsonObject>().Select(c => c.DeepClone().AsObject()))
            {
                slot.Remove("channels");
                foreach (var inherited in new[] { "cabinet_name", "addr" })
                {
                    if (!slot.ContainsKey(inherited) && row[inherited] is { } value && !ReferenceEquals(slot, row))
                    {
                        slot[inherited] = value.DeepClone();
                    }
                }

                if (!slot.ContainsKey("capacity") && slot["inventory"] is { } capacity)
                {
                    slot["capacity"] = capacity.DeepClone();
                }

                // CONTRACT §3.1a: "floor_status (string; some answers name it status)", and the product under good.
                if (!slot.ContainsKey("floor_status") && slot["status"] is JsonValue status)
                {
                    slot["floor_status"] = status.DeepClone();
                }

                if (!slot.ContainsKey("product_name") && slot["good"] is JsonObject good && good["name"] is { } name)
                {
                    slot["product_name"] = name.DeepClone();
                }

                slots.Add(ReferenceEquals(slot, row) ? slot.DeepClone() : slot);
            }
        }

        return slots.Deserialize<IReadOnlyList<MachineSlot>>(PlatformJson.Options) ?? [];
    }

    // Generation's answer is undocumented: accept code objects or bare codes, as a list or wrapped in an object.
    private static IReadOnlyList<PickupCode> ReadPickupCodes(JsonElement data)
    {
        if (data.ValueKind == JsonValueKind.Object)
        {
            data = data.EnumerateObject().Select(property => property.Value).FirstOrDefault(value => value.ValueKind == JsonValueKind.Array);
        }

        if (data.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        return data.EnumerateArray()
            .Select(item => item.ValueKind switch
            {
                JsonValueKind.Object => item.Deserialize<PickupCode>(PlatformJson.Options),
                JsonValueKind.String => new PickupCode { Code = item.GetString()!, Status = PickupCodeStatus.Unused },
                JsonValueKind.Number => new PickupCode { Code = item.GetRawText(), Status = PickupCodeStatus.Unused },
                _ => null,
            })
            .OfType<PickupCode>()
            .ToList();
    }
}
