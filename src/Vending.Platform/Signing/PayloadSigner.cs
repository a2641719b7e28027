using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Vending.Platform;

/// <summary>Signs and encodes request payloads exactly as CONTRACT §2 describes, and verifies them for a server.</summary>
public static class PayloadSigner
{
    public const string SignField = "sign";

    public static string BuildStringToSign(IReadOnlyDictionary<string, string?> fields, string appKey) =>
        BuildStringToSign(FromDictionary(fields), appKey);

    public static string BuildStringToSign(IEnumerable<PayloadField> fields, string appKey)
    {
        ArgumentNullException.ThrowIfNull(appKey);

        var builder = new StringBuilder();
        foreach (var field in Signable(fields))
        {
            builder.Append(field.Name).Append('=').Append(field.Value).Append('&');
        }

        return builder.Append("key=").Append(appKey).ToString();
    }

    public static string Sign(IReadOnlyDictionary<string, string?> fields, string appKey) =>
        Sign(BuildStringToSign(fields, appKey));

    public static string Sign(IEnumerable<PayloadField> fields, string appKey) =>
        Sign(BuildStringToSign(fields, appKey));

    // MD5 is what the platform verifies against; the AppKey suffix, not the hash, is the secret.
    public static string Sign(string stringToSign) =>
        Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(stringToSign)));

    public static string EncodePayload(IReadOnlyDictionary<string, string?> fields, string appKey) =>
        EncodePayload(FromDictionary(fields), appKey);

    /// <summary>Base64 of the compact JSON of the non-empty fields plus <c>sign</c>, keys in ordinal order.</summary>
    public static string EncodePayload(IEnumerable<PayloadField> fields, string appKey)
    {
        var signable = Signable(fields);
        var sign = Sign(BuildStringToSign(signable, appKey));
        var withSign = Sorted([.. signable, PayloadField.Text(SignField, sign)]);

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = PlatformJson.Options.Encoder }))
        {
            writer.WriteStartObject();
            foreach (var field in withSign)
            {
                writer.WritePropertyName(field.Name);
                if (field.IsNumber)
                {
                    writer.WriteRawValue(field.Value!);
                }
                else
                {
                    writer.WriteStringValue(field.Value);
                }
            }

            writer.WriteEndObject();
        }

        return Convert.ToBase64String(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Decodes a payload into its fields (sign included); JSON numbers keep their raw text. False for anything malformed.</summary>
    public static bool TryDecode(string? payload, [NotNullWhen(true)] out IReadOnlyDictionary<string, string?>? fields)
    {
        fields = null;
        if (string.IsNullOrWhiteSpace(payload))
        {
            return false;
        }

        var bytes = new byte[payload.Length];
        if (!Convert.TryFromBase64String(payload.Trim(), bytes, out var length))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(bytes.AsMemory(0, length));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            var decoded = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                decoded[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Null => null,
                    _ => property.Value.GetRawText(),
                };
            }

            fields = decoded;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>True when the fields carry a <c>sign</c> that matches the others under <paramref name="appKey"/> (hex case ignored).</summary>
    public static bool Verify(IReadOnlyDictionary<string, string?> fields, string appKey)
    {
        if (!fields.TryGetValue(SignField, out var claimed) || string.IsNullOrEmpty(claimed))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(fields, appKey));
        var actual = Encoding.ASCII.GetBytes(claimed.ToUpperInvariant());
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    public static bool TryVerify(string? payload, string appKey, [NotNullWhen(true)] out IReadOnlyDictionary<string, string?>? fields)
    {
        if (TryDecode(payload, out var decoded) && Verify(decoded, appKey))
        {
            fields = decoded;
            return true;
        }

        fields = null;
        return false;
    }

    private static IEnumerable<PayloadField> FromDictionary(IReadOnlyDictionary<string, string?> fields) =>
        fields.Select(pair => PayloadField.Text(pair.Key, pair.Value));

    private static List<PayloadField> Signable(IEnumerable<PayloadField> fields) =>
        Sorted(fields.Where(field => field.Name != SignField && !field.IsEmpty));

    private static List<PayloadField> Sorted(IEnumerable<PayloadField> fields)
    {
        var sorted = fields.ToList();
        sorted.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        for (var i = 1; i < sorted.Count; i++)
        {
            if (sorted[i].Name == sorted[i - 1].Name)
            {
                throw new ArgumentException($"Payload field '{sorted[i].Name}' appears twice.", nameof(fields));
            }
        }

        return sorted;
    }
}
