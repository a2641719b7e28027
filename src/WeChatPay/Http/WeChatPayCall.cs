namespace WeChatPay;

/// <summary>
/// What the handlers know of one call besides its HTTP shape: the name used in logs and errors and the ids it concerns.
/// It rides in the request's options (Refit's <c>[Property]</c>), so every attempt of a retried call shares it.
/// </summary>
internal sealed class WeChatPayCall(string name, string? outTradeNo = null, string? outRefundNo = null)
{
    public const string OptionsKey = "WeChatPay.Call";

    private int _attempts;

    public string Name { get; } = name;

    public string? OutTradeNo { get; } = outTradeNo;

    public string? OutRefundNo { get; } = outRefundNo;

    /// <summary>The certificate download: its answer is signed by a certificate inside it, so the downloader verifies it.</summary>
    public bool VerifiedByCaller { get; init; }

    /// <summary>Counts attempts: the resilience pipeline sends the same request message again on a retry.</summary>
    public int NextAttempt() => Interlocked.Increment(ref _attempts);

    public static WeChatPayCall Of(HttpRequestMessage request) =>
        request.Options.TryGetValue(new HttpRequestOptionsKey<WeChatPayCall>(OptionsKey), out var call)
            ? call
            : new WeChatPayCall(request.RequestUri?.AbsolutePath ?? "wechatpay");
}

/// <summary>Marks an endpoint WeChat Pay lets us send again with the same parameters (§5); nothing else is ever retried.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class SafeToRepeatAttribute : Attribute;
