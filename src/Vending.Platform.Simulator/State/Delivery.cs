namespace Vending.Platform.Simulator.State;

internal enum DeviceOutcome
{
    Success,
    Failed,
    Timeout,
}

/// <summary>One accepted dispense command: the command-log entry and the platform's delivery record.</summary>
internal sealed class Delivery
{
    public required string Id { get; init; }

    public required long Seq { get; init; }

    public required string MachineNo { get; init; }

    public required long OrderId { get; init; }

    public required long RecordId { get; init; }

    public string? TradeId { get; init; }

    public required int Quantity { get; init; }

    public required int Dropped { get; init; }

    public bool IsDebug { get; init; }

    public string? NotifyUrl { get; init; }

    public required DateTimeOffset IssuedAt { get; init; }

    public required DateTimeOffset IssuedAtReal { get; init; }

    /// <summary>When the order was marked paid (PUT 1), as of this command; null for an order never paid (pickup, test).</summary>
    public DateTimeOffset? OrderPaidAt { get; init; }

    /// <summary>The scripted fault that garbled the answer to this command (it ran, the client was not told).</summary>
    public string? AnswerFault { get; init; }

    // Null when the device is scripted never to report.
    public DateTimeOffset? ResultDueAt { get; init; }

    public required DateTimeOffset TimeoutAt { get; init; }

    public DeviceOutcome PlannedOutcome { get; init; }

    public string? PlannedReason { get; init; }

    public int PlannedFloorStatus { get; init; } = 1;

    public DateTimeOffset? FinishedAt { get; set; }

    public DateTimeOffset? FinishedAtReal { get; set; }

    public DeviceOutcome? Outcome { get; set; }

    public string? FailReason { get; set; }

    public int FloorStatus { get; set; }

    public string Status => Outcome switch
    {
        null => "delivering",
        DeviceOutcome.Success => "success",
        DeviceOutcome.Failed => "failed",
        _ => "timeout",
    };
}

/// <summary>
/// A dispense attempt that started no command: refused by the platform (<see cref="Reason"/> names why), or stopped by a
/// scripted fault before it ran (<see cref="Fault"/>; the client cannot tell it from one that ran).
/// </summary>
internal sealed record RefusedCommand(
    string? MachineNo,
    string? OrderId,
    string? RecordId,
    bool IsDebug,
    DateTimeOffset At,
    DateTimeOffset AtReal,
    int Code,
    string Message,
    string Reason,
    string? Fault = null,
    string? TradeId = null,
    DateTimeOffset? OrderPaidAt = null);
