using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Vending.Platform;

/// <summary>
/// The one place a platform answer is judged, once per attempt: the whole body is read inside the attempt (a stalled body
/// times out with it), the envelope <c>code</c>/<c>message</c>/<c>data</c> is checked (business errors arrive as HTTP 200,
/// success is <c>code == 0 &amp;&amp; message == "ok"</c>), and what Refit receives is either <c>data</c> alone or a
/// <see cref="PlatformException"/>. Cancellation passes through untouched: the resilience pipeline decides whether it was
/// its own timeout or the caller.
/// </summary>
internal sealed class EnvelopeHandler(TimeProvider time, ILogger<EnvelopeHandler> logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var call = PlatformCall.Of(request);
        var attempt = call.NextAttempt();
        var started = time.GetTimestamp();
        try
        {
            var (status, body) = await ExchangeAsync(call, request, cancellationToken).ConfigureAwait(false);
            var data = Interpret(call, status, body);
            Log.CallSucceeded(logger, call.Name, call.MachineNo, call.OrderId, ElapsedMs(started), attempt);
            return new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request, Content = PayloadSigningHandler.Json(data) };
        }
        catch (PlatformException exception)
        {
            // Only a transport cause is worth a stack trace; a platform refusal is fully described by its fields.
            Log.CallFailed(logger, exception.InnerException, call.Name, call.MachineNo, call.OrderId, ElapsedMs(started), attempt,
                exception.Category, exception.Code, exception.HttpStatus, exception.OutcomeUnknown);
            throw;
        }
    }

    private async Task<(int Status, byte[] Body)> ExchangeAsync(PlatformCall call, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return ((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (HttpRequestException exception)
        {
            throw Transport(call, "The request failed in transport.", MayHaveBeenSent(exception), exception);
        }
        catch (IOException exception)
        {
            throw Transport(call, "The connection broke while reading the answer.", outcomeUnknown: true, exception);
        }
    }

    private static byte[] Interpret(PlatformCall call, int status, byte[] body)
    {
        using var envelope = Envelope.TryParse(body);
        if (status is >= 200 and < 300)
        {
            if (envelope is null)
            {
                throw new PlatformException(call.Name, PlatformErrorCategory.Unknown, 0, "The answer is not a platform envelope.", status, outcomeUnknown: true);
            }

            if (!envelope.IsSuccess)
            {
                throw Rejected(call, envelope, status, PlatformErrors.Categorize(envelope.Code, envelope.Message), outcomeUnknown: false, envelope.Code);
            }

            return envelope.Data.ValueKind == JsonValueKind.Undefined ? "null"u8.ToArray() : JsonMarshal.GetRawUtf8Value(envelope.Data).ToArray();
        }

        var category = PlatformErrors.FromHttpStatus(status);
        var outcomeUnknown = category == PlatformErrorCategory.Transient && status >= 500;
        if (envelope is null)
        {
            throw new PlatformException(call.Name, category, status, $"HTTP {status} without a platform envelope.", status, outcomeUnknown);
        }

        // A platform code that means something outranks the HTTP status, except 401, which is always about credentials.
        if (status != 401 && PlatformErrors.Categorize(envelope.Code, envelope.Message) is var known and not PlatformErrorCategory.Unknown)
        {
            category = known;
            outcomeUnknown = false;
        }

        throw Rejected(call, envelope, status, category, outcomeUnknown, envelope.Code == 0 ? status : envelope.Code);
    }

    private static PlatformException Rejected(PlatformCall call, Envelope envelope, int status, PlatformErrorCategory category, bool outcomeUnknown, int code) =>
        new(call.Name, category, code, envelope.Message, status, outcomeUnknown, envelope.EarlierOrderId);

    private static PlatformException Transport(PlatformCall call, string message, bool outcomeUnknown, Exception inner) =>
        new(call.Name, PlatformErrorCategory.Transient, 0, message, outcomeUnknown: outcomeUnknown, innerException: inner);

    // These fail before a single byte of the request leaves the machine.
    private static bool MayHaveBeenSent(HttpRequestException exception) =>
        exception.HttpRequestError is not (HttpRequestError.NameResolutionError
            or HttpRequestError.ConnectionError
            or HttpRequestError.SecureConnectionError
            or HttpRequestError.ProxyTunnelError);

    private long ElapsedMs(long started) => (long)time.GetElapsedTime(started).TotalMilliseconds;

    private sealed class Envelope : IDisposable
    {
        private readonly JsonDocument _document;

        private Envelope(JsonDocument document)
        {
            _document = document;
            var root = document.RootElement;
            Code = root.TryGetProperty("code", out var code) ? ReadInt32(code) : 0;
            Message = root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String ? message.GetString()! : "";
            Data = root.TryGetProperty("data", out var data) ? data : default;
        }

        public int Code { get; }

        public string Message { get; }

        public JsonElement Data { get; }

        public bool IsSuccess => PlatformErrors.IsSuccess(Code, Message);

        public long? EarlierOrderId =>
            Data.ValueKind == JsonValueKind.Object && Data.TryGetProperty("order_id", out var orderId) && ReadInt64(orderId) is > 0 and var id
                ? id
                : null;

        public static Envelope? TryParse(byte[] body)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(body);
            }
            catch (JsonException)
            {
                return null;
            }

            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && (root.TryGetProperty("code", out _) || root.TryGetProperty("message", out _)))
            {
                return new Envelope(document);
            }

            document.Dispose();
            return null;
        }

        public void Dispose() => _document.Dispose();

        private static long ReadInt64(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt64(out var number) => number,
            JsonValueKind.String => TolerantReader.ParseInt64(value.GetString()),
            _ => 0,
        };

        private static int ReadInt32(JsonElement value) =>
            ReadInt64(value) is var number and >= int.MinValue and <= int.MaxValue ? (int)number : -1;
    }
}
