using System.Reflection;
using System.Text.Json;
using Refit;

namespace Vending.Platform;

/// <summary>
/// Refit's serializer for the platform: request bodies in the platform's snake_case JSON, and answers read from the
/// unwrapped <c>data</c> with the tolerance the platform needs (CONTRACT §1: <c>[]</c> for an empty object, omitted fields,
/// shapes the docs never fixed).
/// </summary>
internal sealed class PlatformContentSerializer : IHttpContentSerializer
{
    public HttpContent ToHttpContent<T>(T item) =>
        PayloadSigningHandler.Json(JsonSerializer.SerializeToUtf8Bytes(item, PlatformJson.Options));

    public async Task<T?> FromHttpContentAsync<T>(HttpContent content, CancellationToken cancellationToken = default)
    {
        var json = await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        using var document = JsonDocument.Parse(json);
        return PlatformData.Read<T>(document.RootElement);
    }

    public string? GetFieldNameForProperty(PropertyInfo propertyInfo) =>
        JsonNamingPolicy.SnakeCaseLower.ConvertName(propertyInfo.Name);
}
