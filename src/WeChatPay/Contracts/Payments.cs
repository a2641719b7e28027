using System.Text.Json.Serialization;

namespace WeChatPay;

/// <summary>
/// A Native payment (§4): WeChat Pay answers a <c>code_url</c> to show as a QR code. <paramref name="Total"/> is in fen;
/// <paramref name="NotifyUrl"/> overrides <see cref="WeChatPayOptions.NotifyUrl"/> (an application that learns its public address at run time).
/// </summary>
public sealed record NativePrepayRequest(string OutTradeNo, string Description, long Total, DateTimeOffset TimeExpire, string? NotifyUrl = null);

/// <summary>A JSAPI or mini-program payment by the payer <paramref name="OpenId"/>. <paramref name="Total"/> is in fen.</summary>
public sealed record JsapiPrepayRequest(string OutTradeNo, string Description, long Total, DateTimeOffset TimeExpire, string OpenId,
    string? NotifyUrl = null);

public sealed record NativePrepayResult(string CodeUrl);

public sealed record JsapiPrepayResult(string PrepayId);

/// <summary>What the WeChat JS bridge's <c>requestPayment</c> takes, under the names it expects.</summary>
public sealed record JsapiPayParameters(
    [property: JsonPropertyName("appId")] string AppId,
    [property: JsonPropertyName("timeStamp")] string TimeStamp,
    [property: JsonPropertyName("nonceStr")] string NonceStr,
    [property: JsonPropertyName("package")] string Package,
    [property: JsonPropertyName("signType")] string SignType,
    [property: JsonPropertyName("paySign")] string PaySign);

/// <summary>
/// A payment as WeChat Pay reports it, from a query or a <c>TRANSACTION.SUCCESS</c> notification; amounts are in fen.
/// Parameters without a default must be in the JSON, or the answer counts as malformed.
/// </summary>
public sealed record WeChatPayTransaction(
    [property: JsonPropertyName("appid")] string AppId,
    [property: JsonPropertyName("mchid")] string MchId,
    string OutTradeNo,
    WeChatPayTradeState TradeState,
    string? TransactionId = null,
    string? TradeType = null,
    string? TradeStateDesc = null,
    DateTimeOffset? SuccessTime = null,
    WeChatPayPayer? Payer = null,
    WeChatPayTransactionAmount? Amount = null);

public sealed record WeChatPayPayer([property: JsonPropertyName("openid")] string? OpenId = null);

public sealed record WeChatPayTransactionAmount(long Total, long? PayerTotal = null, string? Currency = null, string? PayerCurrency = null);

/// <summary><c>trade_state</c>; the last three belong to code-scanning payments. A state this SDK does not know reads as <see cref="Unknown"/>.</summary>
public enum WeChatPayTradeState
{
    Unknown,
    Success,
    Refund,
    NotPay,
    Closed,
    Revoked,
    UserPaying,
    PayError,
}

internal sealed record PrepayBody(
    string Appid,
    string Mchid,
    string Description,
    string OutTradeNo,
    DateTimeOffset TimeExpire,
    string NotifyUrl,
    PrepayAmount Amount,
    PrepayPayer? Payer = null);

internal sealed record PrepayAmount(long Total, string Currency);

internal sealed record PrepayPayer(string Openid);

internal sealed record CloseBody(string Mchid);
