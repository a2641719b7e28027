using System.Text.Json.Nodes;

namespace Vending.Platform.Simulator.Callbacks;

internal sealed record CallbackJob(string MachineNo, long OrderId, long RecordId, string Url, JsonObject Body);

internal sealed class CallbackLogEntry
{
    public required long Seq { get; init; }

    public required string MachineNo { get; init; }

    public required long OrderId { get; init; }

    public required long RecordId { get; init; }

    public required string Url { get; init; }

    public required JsonObject Body { get; init; }

    public required DateTimeOffset At { get; init; }

    public required DateTimeOffset AtReal { get; init; }

    public int? HttpStatus { get; set; }

    public string? Error { get; set; }

    public string? Fault { get; init; }

    public bool Pending { get; set; }
}
