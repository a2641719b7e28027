using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Timeout;

namespace WeChatPay;

/// <summary>
/// The standard resilience pipeline, shaped for WeChat Pay (decision 0016): a timeout per attempt and per call, a circuit
/// breaker per host, and quick bounded retries of transient failures for endpoints marked <see cref="SafeToRepeatAttribute"/>
/// — which §5 makes all of them today; an endpoint added later is not retried until someone marks it.
/// </summary>
internal static class WeChatPayResilience
{
    private static readonly ConcurrentDictionary<(Type Interface, string Method), bool> SafeMethods = new();

    public static void Configure(HttpStandardResilienceOptions resilience, WeChatPayOptions options)
    {
        resilience.AttemptTimeout.Timeout = options.Timeout;
        resilience.TotalRequestTimeout.Timeout = options.EffectiveTotalTimeout;

        resilience.Retry.MaxRetryAttempts = Math.Max(1, options.RetryAttempts);
        resilience.Retry.Delay = options.RetryBaseDelay;
        resilience.Retry.BackoffType = DelayBackoffType.Exponential;
        resilience.Retry.UseJitter = true;
        resilience.Retry.ShouldHandle = args => ValueTask.FromResult(
            options.RetryAttempts > 0 && IsTransient(args.Outcome) && IsSafeToRepeat(args.Context.GetRequestMessage()));

        resilience.CircuitBreaker.FailureRatio = options.CircuitFailureRatio;
        resilience.CircuitBreaker.MinimumThroughput = options.CircuitMinimumThroughput;
        resilience.CircuitBreaker.BreakDuration = options.CircuitBreakDuration;
        // Polly requires the sampling window to hold at least two attempt timeouts.
        resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(30).Ticks, options.Timeout.Ticks * 2));
        // A refusal (closed order, no balance, bad signature) says WeChat Pay is up: only transport-like failures count.
        resilience.CircuitBreaker.ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome));
    }

    /// <summary>What the response handler judged transient (network, 408, 429, 5xx, SYSTEM_ERROR), or an attempt that ran out of time.</summary>
    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is WeChatPayException { IsTransient: true } or TimeoutRejectedException;

    private static bool IsSafeToRepeat(HttpRequestMessage? request)
    {
        if (request is null
            || !request.Options.TryGetValue(new HttpRequestOptionsKey<Type>(Refit.HttpRequestMessageOptions.InterfaceType), out var type)
            || !request.Options.TryGetValue(new HttpRequestOptionsKey<string>(Refit.HttpRequestMessageOptions.MethodName), out var method))
        {
            return false;
        }

        return SafeMethods.GetOrAdd((type, method), key => key.Interface.GetMethod(key.Method)?.IsDefined(typeof(SafeToRepeatAttribute)) == true);
    }
}
