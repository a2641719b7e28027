using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Vending.Platform.Simulator.Tests.Infrastructure;

/// <summary>A deliberately separate, raw implementation of CONTRACT §2 for driving the simulator.</summary>
public static class TestSigner
{
    public static string StringToSign(IReadOnlyDictionary<string, object?> fields, string appKey)
    {
        var pairs = fields
            .Select(f => (f.Key, Value: Text(f.Value)))
            .Where(f => f.Key != "sign" && !string.IsNullOrEmpty(f.Value) && f.Value != "NULL")
            .OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => f.Key + "=" + f.Value);
        return string.Join("&", pairs) + "&key=" + appKey;
    }

    public static string Sign(IReadOnlyDictionary<string, object?> fields, string appKey) =>
        Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(StringToSign(fields, appKey))));

    public static string Payload(IReadOnlyDictionary<string, object?> fields, string appKey, string? sign = null)
    {
        var signed = new Dictionary<string, object?>(fields) { ["sign"] = sign ?? Sign(fields, appKey) };
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(signed)));
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
