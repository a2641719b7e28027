using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace WeChatPay;

/// <summary>
/// Sits outside the resilience pipeline and turns what only the pipeline can decide into <see cref="WeChatPayException"/>s:
/// an attempt or total timeout (the call may have taken effect: outcome unknown) and an open circuit or the concurrency
/// limit (nothing was sent). The caller's own cancellation passes through as cancellation.
/// </summary>
internal sealed class ResilienceOutcomeHandler(ILogger<ResilienceOutcomeHandler> logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException exception)
        {
            throw Failed(request, $"No answer within {exception.Timeout.TotalMilliseconds:0} ms.", outcomeUnknown: true, exception);
        }
        catch (BrokenCircuitException exception)
        {
            throw Failed(request, "The circuit to WeChat Pay is open after repeated failures; the call was not sent.", outcomeUnknown: false, exception);
        }
        catch (ExecutionRejectedException exception)
        {
            throw Failed(request, "Too many WeChat Pay calls at once; the call was not sent.", outcomeUnknown: false, exception);
        }
    }

    private WeChatPayException Failed(HttpRequestMessage request, string message, bool outcomeUnknown, Exception cause)
    {
        var call = WeChatPayCall.Of(request);
        Log.CallGaveUp(logger, call.Name, call.OutTradeNo, call.OutRefundNo, message, outcomeUnknown);
        return new WeChatPayException(call.Name, WeChatPayErrorCategory.Transient, "", message, outcomeUnknown: outcomeUnknown, innerException: cause);
    }
}
