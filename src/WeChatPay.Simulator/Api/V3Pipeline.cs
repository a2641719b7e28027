using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Features;
using WeChatPay.Simulator.Crypto;
using WeChatPay.Simulator.Faults;
using WeChatPay.Simulator.State;

namespace WeChatPay.Simulator.Api;

internal sealed class V3Call
{
    public required HttpContext Http { get; init; }

    public BodyReader? Json { get; init; }

    public BodyReader Body => Json ?? throw new WeChatException(400, "PARAM_ERROR", "请求体格式错误，须为JSON对象");

    public string Route(string name) => Http.GetRouteValue(name) as string ?? "";

    public string? Query(string name) => Http.Request.Query.TryGetValue(name, out var values) ? values.ToString() : null;
}

internal sealed record V3Answer(int Status, JsonNode? Body)
{
    public static V3Answer NoContent { get; } = new(StatusCodes.Status204NoContent, null);

    public static V3Answer Ok(JsonNode body) => new(StatusCodes.Status200OK, body);
}

/// <summary>Runs every API v3 call: headers, signature, scripted faults, the action, and a signed answer.</summary>
internal static class V3Pipeline
{
    private static readonly TimeSpan DefaultSlow = TimeSpan.FromSeconds(2);

    public static void MapV3(this IEndpointRouteBuilder routes, string method, string pattern, string endpoint, Func<V3Call, V3Answer> action) =>
        routes.MapMethods(pattern, [method], (HttpContext http) => RunAsync(http, endpoint, action));

    private static async Task RunAsync(HttpContext http, string endpoint, Func<V3Call, V3Answer> action)
    {
        var state = http.RequestServices.GetRequiredService<SimState>();
        var settings = state.Settings;
        var request = http.Request;
        var url = http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path + request.QueryString;
        var entry = state.BeginRequest(endpoint, request.Method, url);
        var body = await ReadBodyAsync(request);
        var refused = (settings.StrictHeaders ? CheckHeaders(request) : null)
            ?? RequestAuth.Check(request.Headers.Authorization, request.Method, url, body, state.Merchant, DateTimeOffset.UtcNow);
        if (refused is not null)
        {
            await WriteErrorAsync(http, entry, refused);
            return;
        }

        V3Call call;
        try
        {
            call = new V3Call { Http = http, Json = HttpMethods.IsPost(request.Method) ? BodyReader.Parse(body) : null };
        }
        catch (WeChatException e)
        {
            await WriteErrorAsync(http, entry, e);
            return;
        }

        var fault = state.TakeEndpointFault(endpoint, ScopeOf(call, state));
        entry.Fault = fault is null ? null : FaultNames.EndpointModes.Key(fault.Mode);
        if (await BeforeAsync(http, entry, fault, settings) is not { } proceed || !proceed)
        {
            return;
        }

        V3Answer? answer = null;
        WeChatException? failure = null;
        try
        {
            answer = action(call);
        }
        catch (WeChatException e)
        {
            failure = e;
        }

        switch (fault?.Mode)
        {
            case EndpointFaultMode.Error500After:
                await WriteErrorAsync(http, entry, WeChatErrors.SystemError());
                return;
            case EndpointFaultMode.CloseAfter:
                Abort(http, entry);
                return;
        }

        if (failure is not null)
        {
            await WriteErrorAsync(http, entry, failure);
            return;
        }

        await WriteSignedAsync(http, entry, answer!, state, SignatureFaultOf(fault));
    }

    // True: go on; false: the fault answered or closed the call; null: the caller went away.
    private static async Task<bool?> BeforeAsync(HttpContext http, RequestEntry entry, EndpointFault? fault, WeChatPaySimOptions settings)
    {
        switch (fault?.Mode)
        {
            case EndpointFaultMode.Error500:
                await WriteErrorAsync(http, entry, WeChatErrors.SystemError());
                return false;
            case EndpointFaultMode.Error429:
                await WriteErrorAsync(http, entry, WeChatErrors.FrequencyLimited());
                return false;
            case EndpointFaultMode.Error:
                await WriteErrorAsync(http, entry, new WeChatException(
                    fault.Status ?? StatusCodes.Status500InternalServerError, fault.Code ?? "SYSTEM_ERROR", "模拟错误 (simulated)"));
                return false;
            case EndpointFaultMode.Hang:
                var hang = fault.DelayMs is { } ms && TimeSpan.FromMilliseconds(ms) < settings.HangTimeout
                    ? TimeSpan.FromMilliseconds(ms)
                    : settings.HangTimeout;
                if (await DelayAsync(hang, http.RequestAborted))
                {
                    Abort(http, entry);
                }

                return false;
            case EndpointFaultMode.Slow:
                return await DelayAsync(fault.DelayMs is { } slow ? TimeSpan.FromMilliseconds(slow) : DefaultSlow, http.RequestAborted)
                    ? true
                    : null;
            default:
                return true;
        }
    }

    private static WeChatException? CheckHeaders(HttpRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Headers.UserAgent))
        {
            return WeChatErrors.InvalidRequest("HTTP头缺少User-Agent");
        }

        var accept = request.Headers.Accept.ToString();
        if (!accept.Contains("application/json", StringComparison.OrdinalIgnoreCase) && !accept.Contains("*/*", StringComparison.Ordinal))
        {
            return WeChatErrors.InvalidRequest("HTTP头Accept须为application/json");
        }

        return HttpMethods.IsPost(request.Method)
            && request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true
            ? WeChatErrors.InvalidRequest("HTTP头Content-Type须为application/json")
            : null;
    }

    // Faults are scoped by out_trade_no: from the path, the body, or the refund the path names.
    private static string? ScopeOf(V3Call call, SimState state)
    {
        if (call.Route("out_trade_no") is { Length: > 0 } inPath)
        {
            return inPath;
        }

        if (call.Json?.Root["out_trade_no"] is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            return value.GetValue<string>();
        }

        lock (state.Gate)
        {
            return state.Refunds.GetValueOrDefault(call.Route("out_refund_no"))?.OutTradeNo;
        }
    }

    private static SignatureFault SignatureFaultOf(EndpointFault? fault) => fault?.Mode switch
    {
        EndpointFaultMode.BadSignature => SignatureFault.BadSignature,
        EndpointFaultMode.StaleTimestamp => SignatureFault.StaleTimestamp,
        EndpointFaultMode.Unsigned => SignatureFault.Unsigned,
        _ => SignatureFault.None,
    };

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        return buffer.ToArray();
    }

    private static async Task<bool> DelayAsync(TimeSpan delay, CancellationToken aborted)
    {
        try
        {
            await Task.Delay(delay, aborted);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static void Abort(HttpContext http, RequestEntry entry)
    {
        entry.Code = "connection closed";
        http.Abort();
    }

    private static async Task WriteSignedAsync(HttpContext http, RequestEntry entry, V3Answer answer, SimState state, SignatureFault fault)
    {
        var settings = state.Settings;
        var bytes = answer.Body is null ? [] : WxFormat.Bytes(answer.Body);
        var headers = WechatpayHeaders.Create(state.Keys, settings.SigningMode, bytes, fault, settings.StaleTimestampAge);
        foreach (var (name, value) in headers?.Pairs() ?? [])
        {
            http.Response.Headers[name] = value;
        }

        entry.Status = answer.Status;
        await WriteAsync(http, answer.Status, bytes);
    }

    private static async Task WriteErrorAsync(HttpContext http, RequestEntry entry, WeChatException error)
    {
        entry.Status = error.Status;
        entry.Code = error.Code;
        await WriteAsync(http, error.Status, WxFormat.Bytes(error.ToJson()));
    }

    private static async Task WriteAsync(HttpContext http, int status, byte[] body)
    {
        http.Response.StatusCode = status;
        http.Response.Headers["Request-ID"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(20));
        if (body.Length > 0)
        {
            http.Response.ContentType = "application/json; charset=utf-8";
            http.Response.ContentLength = body.Length;
            await http.Response.Body.WriteAsync(body, http.RequestAborted);
        }
    }
}
