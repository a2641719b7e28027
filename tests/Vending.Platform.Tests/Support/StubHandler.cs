using System.Net;
using System.Text;
using System.Text.Json;

namespace Vending.Platform.Tests.Support;

internal sealed record CapturedRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, string? Body, string? ContentType)
{
    public string Path => Uri.AbsolutePath;

    /// <summary>The decoded fields of a signed call's <c>{"payload": ...}</c> body.</summary>
    public IReadOnlyDictionary<string, string?> PayloadFields =>
        PayloadSigner.TryDecode(Payload, out var fields) ? fields : throw new InvalidOperationException("The body carries no decodable payload.");

    public string Payload => JsonDocument.Parse(Body!).RootElement.GetProperty("payload").GetString()!;
}

/// <summary>Answers requests from a script and records what was sent.</summary>
internal sealed class StubHandler(Func<CapturedRequest, CancellationToken, Task<HttpResponseMessage>> respond) : HttpMessageHandler
{
    private readonly List<CapturedRequest> _requests = [];

    public IReadOnlyList<CapturedRequest> Requests => _requests;

    public static StubHandler Answering(string body, HttpStatusCode status = HttpStatusCode.OK) =>
        new((_, _) => Task.FromResult(Response(status, body)));

    public static StubHandler AnsweringOk(string dataJson) => Answering(Envelopes.Ok(dataJson));

    /// <summary>Answers in order, repeating the last answer once the script runs out.</summary>
    public static StubHandler Sequence(params (HttpStatusCode Status, string Body)[] answers)
    {
        var next = 0;
        return new((_, _) =>
        {
            var (status, body) = answers[Math.Min(next++, answers.Length - 1)];
            return Task.FromResult(Response(status, body));
        });
    }

    public static StubHandler Hanging() =>
        new(async (_, cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        });

    public static StubHandler Throwing(Exception exception) => new((_, _) => Task.FromException<HttpResponseMessage>(exception));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = request.Headers.ToDictionary(header => header.Key, header => string.Join(",", header.Value), StringComparer.OrdinalIgnoreCase);
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var captured = new CapturedRequest(request.Method, request.RequestUri!, headers, body, request.Content?.Headers.ContentType?.ToString());
        lock (_requests)
        {
            _requests.Add(captured);
        }

        return await respond(captured, cancellationToken);
    }

    private static HttpResponseMessage Response(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
}

internal static class Envelopes
{
    public static string Ok(string dataJson) => $$"""{"code":0,"message":"ok","data":{{dataJson}}}""";

    public static string Error(int code, string message, string dataJson = "{}") =>
        $$"""{"code":{{code}},"message":{{JsonSerializer.Serialize(message, PlatformJson.Options)}},"data":{{dataJson}}}""";
}
