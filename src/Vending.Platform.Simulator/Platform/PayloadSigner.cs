using System.Security.Cryptography;
using System.Text;

namespace Vending.Platform.Simulator.Platform;

/// <summary>The platform's MD5 payload signature (CONTRACT §2), independent of the merchant SDK.</summary>
internal static class PayloadSigner
{
    public static string StringToSign(IEnumerable<KeyValuePair<string, string?>> fields, string appKey)
    {
        var pairs = fields
            .Where(f => f.Key != "sign" && !IsEmpty(f.Value))
            .OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => $"{f.Key}={f.Value}");
        return string.Join('&', pairs) + "&key=" + appKey;
    }

    public static string Sign(IEnumerable<KeyValuePair<string, string?>> fields, string appKey) =>
        Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(StringToSign(fields, appKey))));

    public static bool Verify(IReadOnlyDictionary<string, string?> fields, string appKey) =>
        fields.TryGetValue("sign", out var sign)
        && !string.IsNullOrEmpty(sign)
        && string.Equals(Sign(fields, appKey), sign, StringComparison.Ordinal);

    private static bool IsEmpty(string? value) => string.IsNullOrEmpty(value) || value == "NULL";
}
