using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Mvc.Formatters;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Merchant.Api.Hosting;

/// <summary>
/// How the public API reads request bodies (ADR 0017): .NET's <see cref="JsonSerializerOptions.Strict"/> on the wire
/// conventions — unknown members, duplicate properties and numbers in strings are refused, names match exactly — with
/// one change: a member is required when the type cannot go without it (non-nullable, no default).
/// </summary>
public static class StrictJson
{
    public static readonly JsonSerializerOptions Options = Create();

    private static readonly Type[] Integers =
        [typeof(byte), typeof(sbyte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong)];

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerOptions.Strict);
        WireJson.Configure(options);
        // The preset requires every constructor parameter, optional ones too; nullable members stay optional here.
        options.RespectRequiredConstructorParameters = false;
        options.TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { RequireWhatCannotBeMissing } };
        options.MakeReadOnly();
        return options;
    }

    /// <summary>A missing value the type cannot hold (a quantity of 0 nobody sent) is refused, not guessed.</summary>
    private static void RequireWhatCannotBeMissing(JsonTypeInfo type)
    {
        foreach (var property in type.Properties)
        {
            if (property.AssociatedParameter is { HasDefaultValue: false, IsNullable: false })
            {
                property.IsRequired = true;
            }
        }
    }

    /// <summary>
    /// What a refused body got wrong, as JSON paths and problems (<c>$.items[0].quantiy: unknown field</c>). The serializer
    /// names only the path, so the kind of problem is read off the contract and the document there.
    /// </summary>
    public static IReadOnlyList<(string Path, string Problem)> Describe(JsonException exception, Type type, ReadOnlyMemory<byte> json)
    {
        var path = exception.Path ?? "$";
        if (exception.InnerException is JsonException)
        {
            return [(path, $"not valid JSON (line {exception.LineNumber + 1}, byte {exception.BytePositionInLine + 1})")];
        }

        using var document = TryParse(json);
        var info = Options.GetTypeInfo(type);
        JsonElement? element = document?.RootElement;
        JsonElement? parent = null;
        string? name = null;
        foreach (var segment in Segments(path))
        {
            parent = element;
            name = segment.Name;
            if (name is not null)
            {
                if (info.Kind != JsonTypeInfoKind.Object)
                {
                    return [(path, "could not be read")];
                }

                var property = info.Properties.FirstOrDefault(p => p.Name == name);
                if (property is null)
                {
                    return [(path, "unknown field")];
                }

                info = Options.GetTypeInfo(property.PropertyType);
                element = element is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(name, out var value) ? value : null;
            }
            else
            {
                if (info.Kind != JsonTypeInfoKind.Enumerable)
                {
                    return [(path, "could not be read")];
                }

                info = Options.GetTypeInfo(info.ElementType!);
                element = element is { ValueKind: JsonValueKind.Array } a && segment.Index < a.GetArrayLength() ? a[segment.Index] : null;
            }
        }

        if (name is not null && parent is { ValueKind: JsonValueKind.Object } owner && owner.EnumerateObject().Count(p => p.NameEquals(name)) > 1)
        {
            return [(path, "duplicate property")];
        }

        if (element is { ValueKind: JsonValueKind.Object } given && info.Kind == JsonTypeInfoKind.Object)
        {
            var missing = info.Properties.Where(p => p.IsRequired && !given.TryGetProperty(p.Name, out _)).ToList();
            if (missing.Count > 0)
            {
                return missing.Select(p => (Append(path, p.Name), "required")).ToList();
            }
        }

        return [(path, Expectation(info, element))];
    }

    private static JsonDocument? TryParse(ReadOnlyMemory<byte> json)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            // Refused before the serializer reached a later syntax error: the contract alone still names the problem.
            return null;
        }
    }

    private static string Expectation(JsonTypeInfo info, JsonElement? actual)
    {
        var type = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        var kind = actual?.ValueKind;
        if (kind == JsonValueKind.Null)
        {
            return "must not be null";
        }

        if (Integers.Contains(type))
        {
            return kind != JsonValueKind.Number ? "must be a number"
                : actual!.Value.GetRawText().TrimStart('-').All(char.IsAsciiDigit)
                    ? string.Create(CultureInfo.InvariantCulture,
                        $"must be a whole number from {type.GetField("MinValue")!.GetValue(null)} to {type.GetField("MaxValue")!.GetValue(null)}")
                    : "must be a whole number";
        }

        return type switch
        {
            _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => kind == JsonValueKind.Number ? "is out of range" : "must be a number",
            _ when type == typeof(string) => kind == JsonValueKind.String ? "is not a valid string" : "must be a string",
            _ when type == typeof(bool) => "must be true or false",
            _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => "must be a date and time (ISO 8601, e.g. 2026-11-21T22:39:05Z)",
            _ when type.IsEnum => "is not one of the documented values",
            _ => info.Kind switch
            {
                JsonTypeInfoKind.Enumerable => "must be an array",
                JsonTypeInfoKind.Object or JsonTypeInfoKind.Dictionary => "must be an object",
                _ => "is not a valid value",
            },
        };
    }

    private static string Append(string path, string name) =>
        name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? $"{path}.{name}" : $"{path}['{name.Replace("'", "\\'", StringComparison.Ordinal)}']";

    private readonly record struct Segment(string? Name, int Index);

    /// <summary>The steps of a System.Text.Json path: <c>$.items[0]['odd name'].quantity</c>.</summary>
    private static List<Segment> Segments(string path)
    {
        var segments = new List<Segment>();
        var i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                segments.Add(new(path[(i + 1)..end], 0));
                i = end;
            }
            else if (path.AsSpan(i).StartsWith("['"))
            {
                var name = new StringBuilder();
                for (i += 2; i < path.Length && !path.AsSpan(i).StartsWith("']"); i++)
                {
                    i += path[i] == '\\' && i + 1 < path.Length ? 1 : 0;
                    name.Append(path[i]);
                }

                segments.Add(new(name.ToString(), 0));
                i += 2;
            }
            else if (path[i] == '[' && path.IndexOf(']', i) is > 0 and var close
                && int.TryParse(path.AsSpan(i + 1, close - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                segments.Add(new(null, index));
                i = close + 1;
            }
            else
            {
                break;
            }
        }

        return segments;
    }
}

/// <summary>
/// The only JSON reader of request bodies: UTF-8 (RFC 8259) and <see cref="StrictJson"/>. Any other declared charset is
/// 415 (the base class's rule, as no other encoding is supported); bytes that are not UTF-8 throw the decoder's exception,
/// which the one problem mapping answers with 400; what the serializer refuses becomes model errors keyed by JSON path.
/// </summary>
public sealed class StrictJsonInputFormatter : TextInputFormatter, IInputFormatterExceptionPolicy
{
    public StrictJsonInputFormatter()
    {
        SupportedEncodings.Add(new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        SupportedMediaTypes.Add("application/json");
        SupportedMediaTypes.Add("text/json");
        SupportedMediaTypes.Add("application/*+json");
    }

    // The framework's charset lookup throws (a 500) on a parameter without a value (`charset=`): a media type like that
    // is not one this formatter reads, and a body no formatter reads is a 415.
    public override bool CanRead(InputFormatterContext context) =>
        MediaTypeHeaderValue.TryParse(context.HttpContext.Request.ContentType, out var type)
        && type.Parameters.All(p => !StringSegment.IsNullOrEmpty(p.Value))
        && base.CanRead(context);

    // Only this formatter's own refusals become model errors; anything else (a decoding failure, a body too large)
    // reaches the exception mapping instead of being reported as a field error.
    public InputFormatterExceptionPolicy ExceptionPolicy => InputFormatterExceptionPolicy.MalformedInputExceptions;

    public override async Task<InputFormatterResult> ReadRequestBodyAsync(InputFormatterContext context, Encoding encoding)
    {
        using var buffer = new MemoryStream();
        await context.HttpContext.Request.Body.CopyToAsync(buffer, context.HttpContext.RequestAborted);
        var json = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        // RFC 8259 §8.1: a byte order mark may be ignored.
        json = json.Span.StartsWith(Encoding.UTF8.Preamble) ? json[Encoding.UTF8.Preamble.Length..] : json;
        if (!System.Text.Unicode.Utf8.IsValid(json.Span))
        {
            throw new DecoderFallbackException("The body is not valid UTF-8.");
        }

        object? model;
        try
        {
            model = JsonSerializer.Deserialize(json.Span, context.ModelType, StrictJson.Options);
        }
        catch (JsonException exception)
        {
            foreach (var (path, problem) in StrictJson.Describe(exception, context.ModelType, json))
            {
                context.ModelState.TryAddModelError(path, problem);
            }

            return await InputFormatterResult.FailureAsync();
        }

        return model is null && !context.TreatEmptyInputAsDefaultValue
            ? await InputFormatterResult.NoValueAsync()
            : await InputFormatterResult.SuccessAsync(model);
    }
}
