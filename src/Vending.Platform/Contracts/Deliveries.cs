using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vending.Platform;

/// <summary>Dispenses one order line; the order must be SUCCESS or PICKUPCODE.</summary>
public sealed record DispenseRequest(string MachineNo, long OrderId, long RecordId);

public sealed record QueryDispenseRequest(string MachineNo, string DeliveryId);

/// <summary>Test-dispenses a slot. Undocumented beyond its path and method: slot fields (e.g. <c>addr</c>, <c>channel</c>) pass through as given.</summary>
public sealed record DebugDispenseRequest(string MachineNo)
{
    public long? ProductId { get; init; }

    /// <summary>Where the platform posts the result (CONTRACT §4: debug dispenses are called back too).</summary>
    public string? NotifyUrl { get; init; }

    public IReadOnlyDictionary<string, string>? SlotFields { get; init; }
}

public sealed record DispenseResult
{
    public string DeliveryId { get; init; } = "";

    public string DeliveredAt { get; init; } = "";

    /// <summary>Free text; the callback and query-order carry the authoritative result.</summary>
    public string Status { get; init; } = "";

    public string PickupAt { get; init; } = "";

    public string FailReason { get; init; } = "";

    /// <summary>The test order a debug dispense created (0 when the answer does not say).</summary>
    public long OrderId { get; init; }

    public long RecordId { get; init; }
}

/// <summary>The dispense-result body the platform POSTs to notify_url. Unsigned: treat it as a hint and confirm with query-order.</summary>
public sealed record DispenseCallback
{
    public const string ResponseMethod = "device.delivery.response";

    public string Method { get; init; } = ResponseMethod;

    public long OrderId { get; init; }

    public long RecordId { get; init; }

    /// <summary>1 dispensed, 0 failed.</summary>
    [JsonConverter(typeof(Int32AsStringConverter))]
    public int DeliverStatus { get; init; }

    /// <summary>0 slot missing, 1 normal, 2 jammed, 3 motor fault, 47 serial timeout.</summary>
    [JsonConverter(typeof(Int32AsStringConverter))]
    public int FloorStatus { get; init; }

    /// <summary>Read from <c>fail_reason</c> or <c>error_msg</c>; the docs use both.</summary>
    public string FailReason { get; init; } = "";

    [JsonIgnore]
    public bool Delivered => DeliverStatus == 1;

    /// <summary>False for anything that is not a JSON object naming an order.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8Json, [NotNullWhen(true)] out DispenseCallback? callback)
    {
        callback = null;
        RawCallback? raw;
        try
        {
            raw = JsonSerializer.Deserialize<RawCallback>(utf8Json, PlatformJson.Options);
        }
        catch (JsonException)
        {
            return false;
        }

        if (raw is null || raw.OrderId <= 0)
        {
            return false;
        }

        callback = new DispenseCallback
        {
            Method = raw.Method,
            OrderId = raw.OrderId,
            RecordId = raw.RecordId,
            DeliverStatus = raw.DeliverStatus,
            FloorStatus = raw.FloorStatus,
            FailReason = raw.FailReason.Length > 0 ? raw.FailReason : raw.ErrorMsg,
        };
        return true;
    }

    public static bool TryParse(string? json, [NotNullWhen(true)] out DispenseCallback? callback)
    {
        callback = null;
        return !string.IsNullOrWhiteSpace(json) && TryParse(System.Text.Encoding.UTF8.GetBytes(json), out callback);
    }

    private sealed class RawCallback
    {
        public string Method { get; init; } = "";

        public long OrderId { get; init; }

        public long RecordId { get; init; }

        public int DeliverStatus { get; init; }

        public int FloorStatus { get; init; }

        public string FailReason { get; init; } = "";

        public string ErrorMsg { get; init; } = "";
    }
}
