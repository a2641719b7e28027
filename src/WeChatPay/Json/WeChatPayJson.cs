using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace WeChatPay;

/// <summary>WeChat Pay's JSON: snake_case, optional fields left out, <c>time_expire</c> in RFC 3339 at +08:00, states as upper-case words.</summary>
internal static class WeChatPayJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            // The signature covers the bytes, and WeChat Pay's own examples send '+' and Chinese unescaped.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            // A record's non-nullable members are the fields a reader relies on: their absence is a malformed answer, not a null.
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
            Converters = { new ChinaTimeConverter(), new WireEnumConverterFactory() },
        };
        options.MakeReadOnly();
        return options;
    }

    /// <summary>Writes <c>2026-11-22T10:06:16+08:00</c> (WeChat Pay's clock is China time); reads any RFC 3339 offset.</summary>
    private sealed class ChinaTimeConverter : JsonConverter<DateTimeOffset>
    {
        private static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var value)
                ? value
                : throw new JsonException("Expected an RFC 3339 time.");

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToOffset(ChinaOffset).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
    }

    /// <summary><c>NOTPAY</c> ↔ <c>NotPay</c>; a word this SDK does not know reads as the enum's zero (<c>Unknown</c>).</summary>
    private sealed class WireEnumConverterFactory : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(WireEnumConverter<>).MakeGenericType(typeToConvert))!;
    }

    private sealed class WireEnumConverter<T> : JsonConverter<T>
        where T : struct, Enum
    {
        private static readonly Dictionary<string, T> ByWord = Enum.GetValues<T>().ToDictionary(Word, StringComparer.OrdinalIgnoreCase);

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                reader.Skip();
                return default;
            }

            return ByWord.GetValueOrDefault(reader.GetString()!.Replace("_", "", StringComparison.Ordinal));
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(Word(value));

        private static string Word(T value) => value.ToString().ToUpperInvariant();
    }
}
