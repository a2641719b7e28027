namespace WeChatPay.Simulator.State;

/// <summary>One API v3 call as the simulator saw it and answered it.</summary>
internal sealed class RequestEntry
{
    public required long Seq { get; init; }

    public required DateTimeOffset At { get; init; }

    public required string Method { get; init; }

    public required string Url { get; init; }

    public required string Endpoint { get; init; }

    public int? Status { get; set; }

    public string? Code { get; set; }

    public string? Fault { get; set; }
}
