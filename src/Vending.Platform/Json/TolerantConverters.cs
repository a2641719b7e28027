using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Vending.Platform;

// The platform serializes protobuf messages: zero values vanish, numbers arrive as strings or ints,
// and empty objects turn into []. Every converter here reads anything and falls back to the zero value.

internal static class TolerantReader
{
    public static string ReadString(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString()!,
        JsonTokenType.Number => Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        _ => SkipTo(ref reader, ""),
    };

    public static long ReadInt64(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Number when reader.TryGetInt64(out var value) => value,
        JsonTokenType.Number when reader.TryGetDecimal(out var value) => Truncate(value),
        JsonTokenType.String => ParseInt64(reader.GetString()),
        JsonTokenType.True => 1,
        _ => SkipTo(ref reader, 0L),
    };

    public static int ReadInt32(ref Utf8JsonReader reader) =>
        ReadInt64(ref reader) is var value and >= int.MinValue and <= int.MaxValue ? (int)value : 0;

    public static bool ReadBoolean(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.Number => reader.TryGetDecimal(out var value) && value != 0,
        JsonTokenType.String => ParseBoolean(reader.GetString()),
        _ => SkipTo(ref reader, false),
    };

    public static long ParseInt64(string? text)
    {
        text = text?.Trim();
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole))
        {
            return whole;
        }

        return decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var fraction) ? Truncate(fraction) : 0;
    }

    private static bool ParseBoolean(string? text) =>
        text?.Trim().ToUpperInvariant() is "TRUE" or "YES" or "Y" || ParseInt64(text) != 0;

    private static long Truncate(decimal value) =>
        value is >= long.MinValue and <= long.MaxValue ? (long)decimal.Truncate(value) : 0;

    private static T SkipTo<T>(ref Utf8JsonReader reader, T fallback)
    {
        reader.Skip();
        return fallback;
    }
}

internal sealed class TolerantStringConverter : JsonConverter<string>
{
    public override bool HandleNull => true;

    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        TolerantReader.ReadString(ref reader);

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);
}

internal sealed class TolerantInt64Converter : JsonConverter<long>
{
    public override long Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        TolerantReader.ReadInt64(ref reader);

    public override void Write(Utf8JsonWriter writer, long value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(value);
}

internal sealed class TolerantInt32Converter : JsonConverter<int>
{
    public override int Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        TolerantReader.ReadInt32(ref reader);

    public override void Write(Utf8JsonWriter writer, int value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(value);
}

internal sealed class TolerantBooleanConverter : JsonConverter<bool>
{
    public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        TolerantReader.ReadBoolean(ref reader);

    public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) =>
        writer.WriteBooleanValue(value);
}

/// <summary>Reads like <see cref="TolerantBooleanConverter"/> but writes the platform's <c>"1"</c>/<c>"0"</c> flags.</summary>
internal sealed class FlagStringConverter : JsonConverter<bool>
{
    public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        TolerantReader.ReadBoolean(ref reader);

    public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value ? "1" : "0");
}

/// <summary>Reads any number-ish value; writes it as a decimal string, as the callback body does.</summary>
internal sealed class Int32AsStringConverter : JsonConverter<int>
{
    public override int Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        TolerantReader.ReadInt32(ref reader);

    public override void Write(Utf8JsonWriter writer, int value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
}

internal sealed class TextEnumConverter<T>(Func<string?, T> parse, Func<T, string> format) : JsonConverter<T>
    where T : struct, Enum
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        parse(TolerantReader.ReadString(ref reader));

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WriteStringValue(format(value));
}

internal sealed class NumberEnumConverter<T> : JsonConverter<T>
    where T : struct, Enum
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        (T)Enum.ToObject(typeof(T), TolerantReader.ReadInt64(ref reader));

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
}

/// <summary>An object-typed property that arrives as <c>[]</c>, <c>""</c> or <c>null</c> reads as an empty object.</summary>
internal sealed class LenientObjectConverter<T> : JsonConverter<T>
    where T : class, new()
{
    public override bool HandleNull => true;

    // A property-level converter: deserializing T here resolves T's own (default) converter, so no recursion.
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            return JsonSerializer.Deserialize<T>(ref reader, options) ?? new T();
        }

        reader.Skip();
        return new T();
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, options);
}

/// <summary>A list that arrives as <c>{}</c>, <c>""</c> or <c>null</c> reads as empty; non-object items in a list of objects are dropped.</summary>
internal sealed class TolerantListConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(IReadOnlyList<>);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(TolerantListConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;

    private sealed class TolerantListConverter<T> : JsonConverter<IReadOnlyList<T>>
    {
        public override bool HandleNull => true;

        public override IReadOnlyList<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                return [];
            }

            var objectItems = options.GetTypeInfo(typeof(T)).Kind == JsonTypeInfoKind.Object;
            var items = new List<T>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (objectItems && reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                if (JsonSerializer.Deserialize<T>(ref reader, options) is { } item)
                {
                    items.Add(item);
                }
            }

            return items;
        }

        public override void Write(Utf8JsonWriter writer, IReadOnlyList<T> value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var item in value)
            {
                JsonSerializer.Serialize(writer, item, options);
            }

            writer.WriteEndArray();
        }
    }
}
