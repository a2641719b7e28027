using System.Net.Http.Headers;
using System.Reflection;
using System.Text.Json;
using Refit;

namespace WeChatPay;

/// <summary>Refit's serializer for WeChat Pay: a body becomes bytes once, and the signing handler signs those same bytes.</summary>
internal sealed class WeChatPayContentSerializer : IHttpContentSerializer
{
    public HttpContent ToHttpContent<T>(T item) =>
        new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(item, WeChatPayJson.Options))
        {
            Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
        };

    public async Task<T?> FromHttpContentAsync<T>(HttpContent content, CancellationToken cancellationToken = default)
    {
        var json = await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize<T>(json, WeChatPayJson.Options);
    }

    public string? GetFieldNameForProperty(PropertyInfo propertyInfo) =>
        JsonNamingPolicy.SnakeCaseLower.ConvertName(propertyInfo.Name);
}
