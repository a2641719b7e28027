using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vending.Platform.Simulator.Faults;
using Vending.Platform.Simulator.State;

namespace Vending.Platform.Simulator.Platform;

internal enum BodyKind
{
    None,
    Signed,
    Plain,
}

/// <summary>Runs every platform call: auth, body decoding, scripted endpoint faults, sign check, envelope.</summary>
internal static class PlatformPipeline
{
    public const string Prefix = "/api/openapi/v1";

    private static readonly TimeSpan DefaultHang = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DefaultSlow = TimeSpan.FromSeconds(2);

    /// <param name="notExecuted">Told of a call a scripted fault stopped before it ran (the client cannot know it did not).</param>
    public static IEndpointConventionBuilder MapPlatform(
        this IEndpointRouteBuilder routes,
        string httpMethod,
        string pattern,
        string endpoint,
        BodyKind kind,
        Func<PlatformRequest, JsonNode?> action,
        Action<PlatformRequest>? notExecuted = null) =>
        routes.MapMethods(pattern, [httpMethod], (HttpContext http) => RunAsync(http, endpoint, kind, action, notExecuted));

    private static async Task RunAsync(
        HttpContext http, string endpoint, BodyKind kind, Func<PlatformRequest, JsonNode?> action, Action<PlatformRequest>? notExecuted)
    {
        var state = http.RequestServices.GetRequiredService<SimulatorState>();
        var settings = state.Settings;
        if (Authenticate(http.Request, settings) is { } authFailure)
        {
            await WriteAsync(http, StatusCodes.Status401Unauthorized, Failure(authFailure));
            return;
        }

        var body = await ReadBodyAsync(http.Request, kind);
        var machineNo = http.GetRouteValue("machine_no") as string ?? body.MachineNo;
        var fault = state.TakeEndpointFault(endpoint, machineNo);
        var request = new PlatformRequest { Http = http, Fields = body.Fields, Json = body.Json, Fault = fault };
        if (fault is not null && !FaultNames.Executes(fault.Mode))
        {
            notExecuted?.Invoke(request);
        }

        switch (fault?.Mode)
        {
            case EndpointFaultMode.Error500:
                await WriteServerErrorAsync(http);
                return;
            case EndpointFaultMode.Hang:
                await HangAsync(http, fault);
                return;
            case EndpointFaultMode.Slow:
                if (!await DelayAsync(fault.DelayMs, DefaultSlow, http.RequestAborted))
                {
                    return;
                }

                break;
        }

        var envelope = Execute(request, kind, body, settings, action);
        switch (fault?.Mode)
        {
            case EndpointFaultMode.Error500After:
                await WriteServerErrorAsync(http);
                return;
            case EndpointFaultMode.HangAfter:
                await HangAsync(http, fault);
                return;
            case EndpointFaultMode.DropAfter:
                http.Abort();
                return;
        }

        await WriteAsync(http, StatusCodes.Status200OK, envelope);
    }

    // Holds the connection until the delay passes or the client gives up, then closes it without an answer.
    private static async Task HangAsync(HttpContext http, EndpointFault fault)
    {
        if (await DelayAsync(fault.DelayMs, DefaultHang, http.RequestAborted))
        {
            http.Abort();
        }
    }

    private static JsonObject Execute(
        PlatformRequest request, BodyKind kind, DecodedBody body, SimulatorOptions settings, Func<PlatformRequest, JsonNode?> action)
    {
        try
        {
            if (body.Error is not null)
            {
                throw body.Error;
            }

            if (kind == BodyKind.Signed)
            {
                if (!PayloadSigner.Verify(body.Fields, settings.AppKey))
                {
                    throw PlatformErrors.SignInvalid();
                }

                request.Require("timestamp");
            }

            return new JsonObject
            {
                ["code"] = 0,
                ["message"] = "ok",
                ["data"] = ProtoJson.Prune(action(request)),
            };
        }
        catch (PlatformException failure)
        {
            return Failure(failure);
        }
    }

    private static PlatformException? Authenticate(HttpRequest request, SimulatorOptions settings)
    {
        var appId = request.Headers["Appid"].ToString();
        var secret = request.Headers["AppSecret"].ToString();
        if (appId.Length == 0 || secret.Length == 0)
        {
            return new PlatformException(10008, "appid or appsecret empty");
        }

        if (!string.Equals(appId, settings.AppId, StringComparison.Ordinal))
        {
            return new PlatformException(10014, "appid invalid");
        }

        return string.Equals(secret, settings.AppSecret, StringComparison.Ordinal)
            ? null
            : new PlatformException(10013, "app secret invalid");
    }

    private static async Task<DecodedBody> ReadBodyAsync(HttpRequest request, BodyKind kind)
    {
        if (kind == BodyKind.None)
        {
            return new DecodedBody();
        }

        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        JsonElement json;
        try
        {
            using var document = JsonDocument.Parse(text.Length == 0 ? "null" : text);
            json = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return new DecodedBody { Error = PlatformErrors.Validation("body must be JSON") };
        }

        if (json.ValueKind != JsonValueKind.Object)
        {
            return new DecodedBody { Error = PlatformErrors.Validation("body must be a JSON object") };
        }

        return kind == BodyKind.Plain
            ? new DecodedBody { Json = json, MachineNo = AsText(json, "machine_no") }
            : DecodePayload(json);
    }

    private static DecodedBody DecodePayload(JsonElement body)
    {
        if (!body.TryGetProperty("payload", out var payload)
            || payload.ValueKind != JsonValueKind.String
            || payload.GetString() is not { Length: > 0 } encoded)
        {
            return new DecodedBody { Error = PlatformErrors.Validation("payload is required") };
        }

        try
        {
            using var document = JsonDocument.Parse(Convert.FromBase64String(encoded));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return new DecodedBody { Error = PlatformErrors.SignInvalid() };
            }

            var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                fields[property.Name] = ValueText(property.Value);
            }

            return new DecodedBody { Fields = fields, MachineNo = fields.GetValueOrDefault("machine_no") };
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return new DecodedBody { Error = PlatformErrors.SignInvalid() };
        }
    }

    // Values enter the signature as they appear in the JSON: strings raw, numbers in decimal.
    private static string? ValueText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };

    private static string? AsText(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) ? ValueText(value) : null;

    private static async Task<bool> DelayAsync(int? delayMs, TimeSpan fallback, CancellationToken aborted)
    {
        try
        {
            await Task.Delay(delayMs is { } ms ? TimeSpan.FromMilliseconds(ms) : fallback, aborted);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static JsonObject Failure(PlatformException failure) => new()
    {
        ["code"] = failure.Code,
        ["message"] = failure.Message,
        ["data"] = failure.Hint?.DeepClone() ?? new JsonObject(),
    };

    private static Task WriteServerErrorAsync(HttpContext http) =>
        WriteAsync(http, StatusCodes.Status500InternalServerError, new JsonObject
        {
            ["code"] = 500,
            ["message"] = "simulated server error",
        });

    private static async Task WriteAsync(HttpContext http, int status, JsonObject envelope)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=utf-8";
        await http.Response.WriteAsync(envelope.ToJsonString(ProtoJson.WriteOptions), http.RequestAborted);
    }

    private sealed class DecodedBody
    {
        public IReadOnlyDictionary<string, string?> Fields { get; init; } = new Dictionary<string, string?>();

        public JsonElement Json { get; init; }

        public string? MachineNo { get; init; }

        public PlatformException? Error { get; init; }
    }
}
