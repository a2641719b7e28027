namespace WeChatPay;

/// <summary>What a failed WeChat Pay call means for the caller (§5); the WeChat code itself is on the exception.</summary>
public enum WeChatPayErrorCategory
{
    Unknown = 0,

    /// <summary>Network failure, timeout, 408, 5xx or <c>SYSTEM_ERROR</c>: worth repeating, and every WeChat Pay call here is safe to repeat.</summary>
    Transient,

    /// <summary>429 <c>FREQUENCY_LIMITED</c>/<c>RATELIMIT_EXCEEDED</c>: back off, then repeat.</summary>
    RateLimited,

    /// <summary>A 2xx without a valid WeChat Pay signature: treated as no answer at all.</summary>
    Unverified,

    /// <summary>401 <c>SIGN_ERROR</c>: our private key, certificate serial or mchid is wrong.</summary>
    SignError,

    /// <summary>403 <c>NO_AUTH</c>: the merchant lacks the product or permission.</summary>
    NoAuth,

    /// <summary>400 <c>PARAM_ERROR</c>/<c>INVALID_REQUEST</c>, e.g. the same out_trade_no with other parameters.</summary>
    InvalidRequest,

    /// <summary>404 <c>ORDER_NOT_EXIST</c>/<c>RESOURCE_NOT_EXISTS</c>.</summary>
    NotFound,

    /// <summary><c>ORDER_CLOSED</c>: on close, already done.</summary>
    OrderClosed,

    /// <summary><c>ORDERPAID</c>: the order is paid, so it cannot be closed or paid again.</summary>
    OrderPaid,

    /// <summary>403 <c>NOT_ENOUGH</c>: the balance cannot cover a refund.</summary>
    NotEnough,

    /// <summary>403 <c>RULE_LIMIT</c>: a business rule refuses it (e.g. refund limits).</summary>
    RuleLimit,

    /// <summary>403 <c>TRADE_ERROR</c>: the trade's state does not allow it.</summary>
    TradeError,
}
