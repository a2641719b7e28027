namespace WeChatPay;

/// <summary>Maps WeChat Pay's error codes (§5), and the HTTP status when the code says nothing more, to one category.</summary>
internal static class WeChatPayErrors
{
    public const string SignError = "SIGN_ERROR";

    public static WeChatPayErrorCategory Categorize(int status, string code) =>
        FromCode(code) ?? FromStatus(status);

    /// <summary>Timeouts, 5xx and 429 may have taken effect (§5); a refusal with a code that means something did not.</summary>
    public static bool OutcomeUnknown(WeChatPayErrorCategory category) =>
        category is WeChatPayErrorCategory.Transient or WeChatPayErrorCategory.RateLimited or WeChatPayErrorCategory.Unverified;

    private static WeChatPayErrorCategory? FromCode(string code) => code switch
    {
        "PARAM_ERROR" or "INVALID_REQUEST" or "APPID_MCHID_NOT_MATCH" or "MCH_NOT_EXISTS" or "OUT_TRADE_NO_USED" => WeChatPayErrorCategory.InvalidRequest,
        SignError => WeChatPayErrorCategory.SignError,
        "NO_AUTH" => WeChatPayErrorCategory.NoAuth,
        "NOT_ENOUGH" => WeChatPayErrorCategory.NotEnough,
        "RULE_LIMIT" => WeChatPayErrorCategory.RuleLimit,
        "TRADE_ERROR" => WeChatPayErrorCategory.TradeError,
        "ORDER_NOT_EXIST" or "RESOURCE_NOT_EXISTS" => WeChatPayErrorCategory.NotFound,
        "ORDER_CLOSED" => WeChatPayErrorCategory.OrderClosed,
        "ORDERPAID" or "ORDER_PAID" => WeChatPayErrorCategory.OrderPaid,
        "FREQUENCY_LIMITED" or "RATELIMIT_EXCEEDED" => WeChatPayErrorCategory.RateLimited,
        "SYSTEM_ERROR" or "BANK_ERROR" or "BANKERROR" => WeChatPayErrorCategory.Transient,
        _ => null,
    };

    private static WeChatPayErrorCategory FromStatus(int status) => status switch
    {
        400 or 422 => WeChatPayErrorCategory.InvalidRequest,
        401 => WeChatPayErrorCategory.SignError,
        403 => WeChatPayErrorCategory.NoAuth,
        404 => WeChatPayErrorCategory.NotFound,
        429 => WeChatPayErrorCategory.RateLimited,
        408 or >= 500 => WeChatPayErrorCategory.Transient,
        _ => WeChatPayErrorCategory.Unknown,
    };
}
