using System.Globalization;
using System.Text.Json;
using Vending.Platform.Simulator.Faults;

namespace Vending.Platform.Simulator.Platform;

/// <summary>One decoded platform call: signed payload fields or the plain JSON body.</summary>
internal sealed class PlatformRequest
{
    private static readonly Dictionary<string, string?> NoFields = [];

    public required HttpContext Http { get; init; }

    public IReadOnlyDictionary<string, string?> Fields { get; init; } = NoFields;

    public JsonElement Json { get; init; }

    /// <summary>The scripted endpoint fault this call was given, if any.</summary>
    public EndpointFault? Fault { get; init; }

    public T Service<T>()
        where T : notnull => Http.RequestServices.GetRequiredService<T>();

    public string Route(string name) => Http.GetRouteValue(name) as string ?? "";

    public long RouteLong(string name) =>
        long.TryParse(Route(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw PlatformErrors.Validation($"{name} must be an integer");

    public string? Optional(string name) =>
        Fields.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value : null;

    public string Require(string name) =>
        Optional(name) ?? throw PlatformErrors.Validation($"{name} is required");

    public long RequireLong(string name) => ParseLong(name, Require(name));

    public int RequireInt(string name) => ParseInt(name, Require(name));

    public int? OptionalInt(string name) => Optional(name) is { } text ? ParseInt(name, text) : null;

    public long? OptionalLong(string name) => Optional(name) is { } text ? ParseLong(name, text) : null;

    public string? OptionalUrl(string name) =>
        Optional(name) is { } url ? CheckUrl(name, url) : null;

    public static string CheckUrl(string name, string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? url
            : throw PlatformErrors.Validation($"{name} must be an absolute http(s) URL");

    public void RequireMethod(params string[] allowed)
    {
        var method = Require("method");
        if (!allowed.Contains(method, StringComparer.Ordinal))
        {
            throw PlatformErrors.Validation($"method must be one of {string.Join(", ", allowed)}");
        }
    }

    public static long ParseLong(string name, string text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw PlatformErrors.Validation($"{name} must be an integer");

    public static int ParseInt(string name, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw PlatformErrors.Validation($"{name} must be an integer");
}
