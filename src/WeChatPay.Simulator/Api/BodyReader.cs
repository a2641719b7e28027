using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace WeChatPay.Simulator.Api;

/// <summary>Reads a request's JSON fields by pointer, answering PARAM_ERROR the way WeChat does for each broken rule.</summary>
internal sealed class BodyReader(JsonObject root)
{
    public JsonObject Root { get; } = root;

    public static BodyReader Parse(byte[] body)
    {
        try
        {
            if (body.Length > 0 && JsonNode.Parse(body) is JsonObject root)
            {
                return new BodyReader(root);
            }
        }
        catch (JsonException)
        {
            // Answered below like any body that is not a JSON object.
        }

        throw new WeChatException(400, "PARAM_ERROR", "请求体格式错误，须为JSON对象");
    }

    public string Text(string pointer, int maxLength, int minLength = 1) =>
        OptionalText(pointer, maxLength, minLength) ?? throw WeChatErrors.Missing(pointer);

    public string? OptionalText(string pointer, int maxLength, int minLength = 1)
    {
        var node = Find(pointer);
        if (node is null)
        {
            return null;
        }

        if (node.GetValueKind() != JsonValueKind.String)
        {
            throw WeChatErrors.Param(pointer, "字段类型错误，应为string", "类型", node);
        }

        var text = node.GetValue<string>();
        return text.Length < minLength || text.Length > maxLength
            ? throw WeChatErrors.Param(pointer, $"长度应在{minLength}到{maxLength}之间", "长度", node)
            : text;
    }

    public string Matching(string pointer, int maxLength, Regex pattern, int minLength = 1)
    {
        var text = Text(pointer, maxLength, minLength);
        return pattern.IsMatch(text) ? text : throw WeChatErrors.Param(pointer, "格式不正确", "格式", JsonValue.Create(text));
    }

    public long Integer(string pointer, long min)
    {
        var node = Find(pointer) ?? throw WeChatErrors.Missing(pointer);
        if (node.GetValueKind() != JsonValueKind.Number || !node.AsValue().TryGetValue<long>(out var value))
        {
            throw WeChatErrors.Param(pointer, "字段类型错误，应为integer", "类型", node);
        }

        return value >= min ? value : throw WeChatErrors.Param(pointer, $"应不小于{min}", "取值范围", node);
    }

    public string Currency(string pointer, bool required = false)
    {
        var currency = (required ? Text(pointer, 16) : OptionalText(pointer, 16)) ?? "CNY";
        return currency == "CNY" ? currency : throw WeChatErrors.Param(pointer, "境内商户仅支持人民币CNY", "取值范围", JsonValue.Create(currency));
    }

    public string NotifyUrl(string pointer, bool required, bool requireHttps)
    {
        var url = required ? Text(pointer, 256) : OptionalText(pointer, 256);
        if (url is null)
        {
            return "";
        }

        var ok = Uri.TryCreate(url, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttps || (!requireHttps && uri.Scheme == Uri.UriSchemeHttp))
            && uri.Query.Length == 0;
        return ok ? url : throw WeChatErrors.Param(pointer, "须为可直接访问的https地址，不能携带参数", "格式", JsonValue.Create(url));
    }

    private JsonNode? Find(string pointer)
    {
        JsonNode? node = Root;
        foreach (var name in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            node = node is JsonObject obj && obj.TryGetPropertyValue(name, out var child) ? child : null;
        }

        return node;
    }
}
