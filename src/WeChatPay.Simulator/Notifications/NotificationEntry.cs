namespace WeChatPay.Simulator.Notifications;

internal static class DeliveryStatus
{
    public const string Queued = "queued";
    public const string Held = "held";
    public const string Delayed = "delayed";
    public const string Sending = "sending";
    public const string Retrying = "retrying";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
    public const string Dropped = "dropped";

    public static bool IsSettled(string status) => status is Delivered or Failed or Dropped;
}

internal sealed record NotificationAttempt(int Copy, int Number, DateTimeOffset At, int? HttpStatus, string? Error, string Signature);

/// <summary>One notification and every attempt to deliver it (the control API's notification log).</summary>
internal sealed class NotificationEntry
{
    public required long Seq { get; init; }

    public required string Id { get; init; }

    public required string EventType { get; init; }

    public required string OutTradeNo { get; init; }

    public string? OutRefundNo { get; init; }

    public required string Url { get; init; }

    public required string Body { get; init; }

    public required string Plaintext { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public string? Fault { get; set; }

    public string Status { get; set; } = DeliveryStatus.Queued;

    public List<NotificationAttempt> Attempts { get; } = [];
}

internal sealed record NotificationJob(NotificationEntry Entry);

internal sealed record ProbeEntry(DateTimeOffset At, string Url, string Signature, int? HttpStatus, string? Error);
