using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace WeChatPay;

/// <summary>
/// The one place a WeChat Pay answer is judged, once per attempt: the whole body is read inside the attempt (a stalled
/// body times out with it), a 2xx must carry a valid WeChat Pay signature over those raw bytes (§2) or it counts as no
/// answer (outcome unknown), and an error body <c>{code, message, detail?}</c> becomes a <see cref="WeChatPayException"/>
/// (§5). Cancellation passes through untouched: the resilience pipeline decides whether it was its own timeout.
/// </summary>
internal sealed class ResponseHandler(WeChatPaySignatureVerifier verifier, TimeProvider time, ILogger<ResponseHandler> logger) : DelegatingHandler
{
    private const int MaxDetailLength = 2048;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var call = WeChatPayCall.Of(request);
        var attempt = call.NextAttempt();
        var started = time.GetTimestamp();
        try
        {
            var response = await ExchangeAsync(call, request, cancellationToken).ConfigureAwait(false);
            try
            {
                await JudgeAsync(call, response, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                response.Dispose();
                throw;
            }

            Log.CallSucceeded(logger, call.Name, call.OutTradeNo, call.OutRefundNo, ElapsedMs(started), attempt);
            return response;
        }
        catch (WeChatPayException exception)
        {
            // Only a transport cause is worth a stack trace; a refusal is fully described by its fields.
            Log.CallFailed(logger, exception.InnerException, call.Name, call.OutTradeNo, call.OutRefundNo, ElapsedMs(started), attempt,
                exception.Category, exception.Code, exception.HttpStatus, exception.OutcomeUnknown);
            throw;
        }
    }

    private async Task<HttpResponseMessage> ExchangeAsync(WeChatPayCall call, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage? response = null;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            return response;
        }
        catch (HttpRequestException exception)
        {
            response?.Dispose();
            throw Transport(call, "The request failed in transport.", MayHaveBeenSent(exception), exception);
        }
        catch (IOException exception)
        {
            response?.Dispose();
            throw Transport(call, "The connection broke while reading the answer.", outcomeUnknown: true, exception);
        }
    }

    private async Task JudgeAsync(WeChatPayCall call, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (status is >= 200 and < 300)
        {
            if (call.VerifiedByCaller)
            {
                return;
            }

            var headers = WeChatPaySignatureHeaders.From(response.Headers);
            var verification = await verifier.VerifyAsync(headers, body, cancellationToken).ConfigureAwait(false);
            if (verification != WeChatPayVerification.Valid)
            {
                Log.AnswerUnverified(logger, call.Name, verification, Log.Excerpt(headers.Serial));
                throw new WeChatPayException(call.Name, WeChatPayErrorCategory.Unverified, "",
                    $"The answer's WeChat Pay signature did not verify ({verification}); query before acting.", status, outcomeUnknown: true);
            }

            return;
        }

        var error = ErrorBody.Read(body);
        var category = WeChatPayErrors.Categorize(status, error.Code);
        if (error.Code == WeChatPayErrors.SignError && error.Detail is { } detail)
        {
            Log.SignErrorDetail(logger, call.Name, detail);
        }

        throw new WeChatPayException(call.Name, category, error.Code, error.Message ?? $"HTTP {status} without a WeChat Pay error body.",
            status, WeChatPayErrors.OutcomeUnknown(category));
    }

    private static WeChatPayException Transport(WeChatPayCall call, string message, bool outcomeUnknown, Exception inner) =>
        new(call.Name, WeChatPayErrorCategory.Transient, "", message, outcomeUnknown: outcomeUnknown, innerException: inner);

    // These fail before a single byte of the request leaves the machine.
    private static bool MayHaveBeenSent(HttpRequestException exception) =>
        exception.HttpRequestError is not (HttpRequestError.NameResolutionError
            or HttpRequestError.ConnectionError
            or HttpRequestError.SecureConnectionError
            or HttpRequestError.ProxyTunnelError);

    private long ElapsedMs(long started) => (long)time.GetElapsedTime(started).TotalMilliseconds;

    private sealed record ErrorBody(string Code, string? Message, string? Detail)
    {
        private static readonly ErrorBody None = new("", null, null);

        public static ErrorBody Read(byte[] body)
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    return None;
                }

                return new ErrorBody(Text(root, "code") ?? "", Text(root, "message"), DetailOf(root));
            }
            catch (JsonException)
            {
                return None;
            }
        }

        private static string? Text(JsonElement root, string name) =>
            root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        private static string? DetailOf(JsonElement root) =>
            root.TryGetProperty("detail", out var detail) && detail.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
                ? Truncate(detail.GetRawText())
                : null;

        private static string Truncate(string text) => text.Length <= MaxDetailLength ? text : text[..MaxDetailLength] + "…";
    }
}
