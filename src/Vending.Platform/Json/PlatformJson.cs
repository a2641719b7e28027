using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Vending.Platform;

/// <summary>The platform's JSON dialect: snake_case on the wire, and forgiving of omitted, re-typed or oddly shaped values.</summary>
public static class PlatformJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            PropertyNameCaseInsensitive = true,
            // Payloads travel base64-encoded and callbacks are never embedded in HTML, so readable Chinese beats \u escapes.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { UseLenientObjects } },
            Converters =
            {
                new TolerantStringConverter(),
                new TolerantInt32Converter(),
                new TolerantInt64Converter(),
                new TolerantBooleanConverter(),
                new TextEnumConverter<PlatformOrderStatus>(PlatformStatuses.ParseOrderStatus, PlatformStatuses.ToWire),
                new TextEnumConverter<RecordStatus>(PlatformStatuses.ParseRecordStatus, PlatformStatuses.ToWire),
                new TextEnumConverter<PickupCodeStatus>(PlatformStatuses.ParsePickupCodeStatus, PlatformStatuses.ToWire),
                new NumberEnumConverter<MachineType>(),
                new TolerantListConverterFactory(),
            },
        };
        options.MakeReadOnly();
        return options;
    }

    private static void UseLenientObjects(JsonTypeInfo typeInfo)
    {
        if (typeInfo.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        foreach (var property in typeInfo.Properties)
        {
            if (property.CustomConverter is null && IsContractObject(property.PropertyType))
            {
                property.CustomConverter = (JsonConverter)Activator.CreateInstance(
                    typeof(LenientObjectConverter<>).MakeGenericType(property.PropertyType))!;
            }
        }
    }

    private static bool IsContractObject(Type type) =>
        type.IsClass
        && type.Assembly == typeof(PlatformJson).Assembly
        && type.GetConstructor(Type.EmptyTypes) is not null;
}
