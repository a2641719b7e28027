namespace Vending.Platform;

/// <summary>
/// What the handlers know of one call besides its HTTP shape: the name used in logs and errors and the ids it concerns.
/// It rides in the request's options (Refit's <c>[Property]</c>), so every attempt of a retried call shares it.
/// </summary>
internal sealed class PlatformCall(string name, string? machineNo = null, long? orderId = null)
{
    public const string OptionsKey = "Vending.Platform.Call";

    private int _attempts;

    public string Name { get; } = name;

    public string? MachineNo { get; } = machineNo;

    public long? OrderId { get; } = orderId;

    /// <summary>Counts attempts: the resilience pipeline sends the same request message again on a retry.</summary>
    public int NextAttempt() => Interlocked.Increment(ref _attempts);

    public static PlatformCall Of(HttpRequestMessage request) =>
        request.Options.TryGetValue(new HttpRequestOptionsKey<PlatformCall>(OptionsKey), out var call)
            ? call
            : new PlatformCall(request.RequestUri?.AbsolutePath ?? "platform");
}

/// <summary>Marks a platform endpoint that has no effect, so the resilience pipeline may send it again; nothing else is ever retried.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class SafeToRepeatAttribute : Attribute;
