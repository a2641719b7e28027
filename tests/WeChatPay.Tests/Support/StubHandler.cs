using System.Text;

namespace WeChatPay.Tests.Support;

internal sealed record CapturedRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, byte[] Body, string? ContentType)
{
    public string Path => Uri.AbsolutePath;

    public string Text => Encoding.UTF8.GetString(Body);

    public string Authorization => Headers["Authorization"];

    /// <summary>One parameter of the <c>WECHATPAY2-SHA256-RSA2048 k="v",…</c> header.</summary>
    public string AuthorizationPart(string name)
    {
        var marker = name + "=\"";
        var start = Authorization.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        return Authorization[start..Authorization.IndexOf('"', start)];
    }
}

/// <summary>Answers requests from a script and records what was sent, byte for byte.</summary>
internal sealed class StubHandler(Func<CapturedRequest, CancellationToken, Task<HttpResponseMessage>> respond) : HttpMessageHandler
{
    private readonly List<CapturedRequest> _requests = [];

    public IReadOnlyList<CapturedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public static StubHandler Answering(Func<CapturedRequest, HttpResponseMessage> respond) => new((request, _) => Task.FromResult(respond(request)));

    /// <summary>Answers in order, repeating the last answer once the script runs out.</summary>
    public static StubHandler Sequence(params Func<CapturedRequest, HttpResponseMessage>[] answers)
    {
        var next = 0;
        return new((request, _) => Task.FromResult(answers[Math.Min(Interlocked.Increment(ref next) - 1, answers.Length - 1)](request)));
    }

    public static StubHandler Hanging() =>
        new(async (_, cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        });

    public int CountTo(string path) => Requests.Count(request => request.Path == path);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = request.Headers.ToDictionary(header => header.Key, header => string.Join(" ", header.Value), StringComparer.OrdinalIgnoreCase);
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var captured = new CapturedRequest(request.Method, request.RequestUri!, headers, body, request.Content?.Headers.ContentType?.ToString());
        lock (_requests)
        {
            _requests.Add(captured);
        }

        var response = await respond(captured, cancellationToken);
        response.RequestMessage = request;
        return response;
    }
}
