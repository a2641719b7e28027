namespace WeChatPay;

/// <summary>Any failed WeChat Pay call. The message carries the operation, category, WeChat code and text — never keys, signatures or bodies.</summary>
public sealed class WeChatPayException : Exception
{
    public WeChatPayException(
        string operation,
        WeChatPayErrorCategory category,
        string code,
        string wechatMessage,
        int? httpStatus = null,
        bool outcomeUnknown = false,
        Exception? innerException = null)
        : base(Describe(operation, category, code, wechatMessage, httpStatus, outcomeUnknown), innerException)
    {
        Operation = operation;
        Category = category;
        Code = code;
        WeChatMessage = wechatMessage;
        HttpStatus = httpStatus;
        OutcomeUnknown = outcomeUnknown;
    }

    public string Operation { get; }

    public WeChatPayErrorCategory Category { get; }

    /// <summary>WeChat Pay's <c>code</c> (e.g. <c>ORDER_NOT_EXIST</c>); empty when there was none.</summary>
    public string Code { get; }

    public string WeChatMessage { get; }

    public int? HttpStatus { get; }

    /// <summary>The call may have taken effect at WeChat Pay, but no trustworthy answer came back: query before acting.</summary>
    public bool OutcomeUnknown { get; }

    public bool IsTransient => Category is WeChatPayErrorCategory.Transient or WeChatPayErrorCategory.RateLimited;

    private static string Describe(string operation, WeChatPayErrorCategory category, string code, string wechatMessage, int? httpStatus, bool outcomeUnknown)
    {
        var wechatCode = code.Length > 0 ? $" {code}" : "";
        var http = httpStatus is { } status ? $", HTTP {status}" : "";
        var unknown = outcomeUnknown ? ", outcome unknown" : "";
        return $"WeChat Pay {operation} failed: {category}{wechatCode}{http}{unknown}: {wechatMessage}";
    }
}
