using Vending.Platform.Simulator.Callbacks;

namespace Vending.Platform.Simulator.Faults;

internal enum DispenseFaultMode
{
    Fail,
    Timeout,
}

internal sealed class DispenseFault
{
    public required DispenseFaultMode Mode { get; init; }

    public required int Remaining { get; set; }

    public string Reason { get; init; } = FailureTexts.GoodsAreStuck;

    public int FloorStatus { get; init; } = 2;
}

internal enum CallbackFaultMode
{
    Drop,
    Duplicate,
    Delay,
    Reorder,
}

internal sealed class CallbackFault
{
    public required long Id { get; init; }

    public string? MachineNo { get; init; }

    public required CallbackFaultMode Mode { get; init; }

    public required int Count { get; init; }

    public required int Remaining { get; set; }

    public int? DelayMs { get; init; }

    public List<CallbackJob> Held { get; } = [];

    public bool Flushed { get; set; }
}

internal enum EndpointFaultMode
{
    Error500,
    Error500After,
    Hang,
    Slow,

    /// <summary>Executes, then holds the answer past the client's timeout and closes the connection: done, but the client gave up.</summary>
    HangAfter,

    /// <summary>Executes, then drops the connection without an answer.</summary>
    DropAfter,
}

internal sealed class EndpointFault
{
    public required long Id { get; init; }

    public required string Endpoint { get; init; }

    public string? MachineNo { get; init; }

    public required EndpointFaultMode Mode { get; init; }

    public required int Remaining { get; set; }

    public int? DelayMs { get; init; }
}

internal static class FaultNames
{
    public static readonly IReadOnlyList<string> Endpoints =
    [
        "ping", "machines", "machine", "floors", "banners", "products", "categories",
        "orders.create", "orders.query", "orders.update",
        "pickup_codes.create", "pickup_codes.query", "pickup_codes.cancel", "consumes",
        "deliveries", "deliveries.query", "deliveries.debug", "replenishments",
    ];

    public static bool TryParseEndpointMode(string? text, out EndpointFaultMode mode)
    {
        (var ok, mode) = text switch
        {
            "error500" => (true, EndpointFaultMode.Error500),
            "error500_after" => (true, EndpointFaultMode.Error500After),
            "hang" => (true, EndpointFaultMode.Hang),
            "slow" => (true, EndpointFaultMode.Slow),
            "hang_after" => (true, EndpointFaultMode.HangAfter),
            "drop_after" => (true, EndpointFaultMode.DropAfter),
            _ => (false, EndpointFaultMode.Error500),
        };
        return ok;
    }

    /// <summary>Whether a call the fault applies to still runs (its effect happens whatever the client sees).</summary>
    public static bool Executes(EndpointFaultMode mode) => mode is not (EndpointFaultMode.Error500 or EndpointFaultMode.Hang);

    public static bool TryParseCallbackMode(string? text, out CallbackFaultMode mode)
    {
        (var ok, mode) = text switch
        {
            "drop" => (true, CallbackFaultMode.Drop),
            "duplicate" => (true, CallbackFaultMode.Duplicate),
            "delay" => (true, CallbackFaultMode.Delay),
            "reorder" => (true, CallbackFaultMode.Reorder),
            _ => (false, CallbackFaultMode.Drop),
        };
        return ok;
    }

    public static string Key(EndpointFaultMode mode) => mode switch
    {
        EndpointFaultMode.Error500 => "error500",
        EndpointFaultMode.Error500After => "error500_after",
        EndpointFaultMode.Hang => "hang",
        EndpointFaultMode.HangAfter => "hang_after",
        EndpointFaultMode.DropAfter => "drop_after",
        _ => "slow",
    };

    public static string Key(CallbackFaultMode mode) => mode.ToString().ToLowerInvariant();
}
