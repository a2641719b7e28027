using System.Text.Json.Nodes;

namespace WeChatPay.Simulator.Api;

/// <summary>A WeChat Pay error answer: HTTP status and <c>{code, message, detail?}</c>, never signed.</summary>
internal sealed class WeChatException(int status, string code, string message, JsonObject? detail = null) : Exception(message)
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public JsonObject? Detail { get; } = detail;

    public JsonObject ToJson()
    {
        var body = new JsonObject { ["code"] = Code, ["message"] = Message };
        if (Detail is not null)
        {
            body["detail"] = Detail.DeepClone();
        }

        return body;
    }
}

internal static class WeChatErrors
{
    public static WeChatException Param(string field, string issue, string rule, JsonNode? value = null, string location = "body") =>
        new(400, "PARAM_ERROR", $"输入源“/{location}{(field.StartsWith('/') ? field : "/" + field)}”映射到字段“{field.TrimStart('/')}”{rule}规则校验失败，{issue}", new JsonObject
        {
            ["field"] = field,
            ["value"] = value?.DeepClone(),
            ["issue"] = issue,
            ["location"] = location,
        });

    public static WeChatException Missing(string field, string location = "body") =>
        Param(field, "此字段为必填项", "必填性", null, location);

    public static WeChatException InvalidRequest(string message) => new(400, "INVALID_REQUEST", message);

    public static WeChatException AppIdMismatch() => new(400, "APPID_MCHID_NOT_MATCH", "appid和mchid不匹配");

    public static WeChatException OrderNotExist() => new(404, "ORDER_NOT_EXIST", "订单不存在");

    public static WeChatException ResourceNotExists(string message) => new(404, "RESOURCE_NOT_EXISTS", message);

    public static WeChatException OrderClosed() => new(400, "ORDER_CLOSED", "订单已关闭");

    // The v3 docs name no code for a paid order here; v2 answered ORDERPAID.
    public static WeChatException OrderPaid() => new(400, "ORDER_PAID", "订单已支付");

    public static WeChatException RuleLimit(string message) => new(403, "RULE_LIMIT", message);

    public static WeChatException SystemError() => new(500, "SYSTEM_ERROR", "系统异常，请稍后重试");

    public static WeChatException FrequencyLimited() => new(429, "FREQUENCY_LIMITED", "频率超限，请降低请求频率");

    public static WeChatException Sign(string issue, JsonObject? signInformation = null)
    {
        var detail = new JsonObject
        {
            ["field"] = "signature",
            ["location"] = "authorization",
            ["detail"] = new JsonObject { ["issue"] = issue },
        };
        if (signInformation is not null)
        {
            detail["sign_information"] = signInformation;
        }

        return new WeChatException(401, "SIGN_ERROR", "签名错误，请检查后再试", detail);
    }
}
