using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Merchant.Api.Hosting;

/// <summary>Wire conventions (API.md): snake_case, money as "3.00", times as ISO 8601 UTC.</summary>
public static class WireJson
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new UtcTimeConverter());
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
    }

    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        return options;
    }

    private sealed class UtcTimeConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
                ? value
                // A JsonException carries the path and is the client's fault; a FormatException would escape the reader as a 500.
                : throw new JsonException("Not a date and time.");

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
    }
}

/// <summary>Money is fen inside and a two-place decimal string outside; never a float.</summary>
public static class Money
{
    public static string ToWire(long fen) =>
        string.Create(CultureInfo.InvariantCulture, $"{(fen < 0 ? "-" : "")}{Math.Abs(fen) / 100}.{Math.Abs(fen) % 100:00}");
}
