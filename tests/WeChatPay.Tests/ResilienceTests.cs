using System.Net;
using Polly.CircuitBreaker;
using Polly.Timeout;
using WeChatPay.Tests.Support;

namespace WeChatPay.Tests;

public class ResilienceTests
{
    private const string OutTradeNo = "20261122014815000000000001";

    private static readonly Func<CapturedRequest, HttpResponseMessage> Unavailable =
        _ => WeChatPayServer.Error(HttpStatusCode.InternalServerError, "SYSTEM_ERROR", "系统错误");

    public static TheoryData<string> Operations => new()
    {
        "native", "jsapi", "query", "close", "refund", "refund.query",
    };

    [Fact]
    public async Task Retries_a_query_on_system_error_until_it_succeeds()
    {
        var clock = ManualClock.AtVectorTime();
        var handler = StubHandler.Sequence(Unavailable, Unavailable, _ => WeChatPayServer.Signed(clock, Transactions.Paid));
        var sdk = TestSdk.Create(handler, options => options.RetryAttempts = 2, clock);

        var transaction = await sdk.Client.QueryByOutTradeNoAsync(OutTradeNo);

        transaction.TradeState.ShouldBe(WeChatPayTradeState.Success);
        handler.Requests.Count.ShouldBe(3);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Retries_every_operation_because_wechat_pay_makes_each_safe_to_repeat(string operation)
    {
        var handler = StubHandler.Answering(Unavailable);
        var sdk = TestSdk.Create(handler, options => options.RetryAttempts = 2);

        var error = await Should.ThrowAsync<WeChatPayException>(() => Invoke(sdk.Client, operation));

        error.OutcomeUnknown.ShouldBeTrue();
        handler.Requests.Count.ShouldBe(3);
        handler.Requests.Select(request => request.Text).Distinct().Count().ShouldBe(1);
    }

    [Fact]
    public async Task Backs_off_and_retries_when_rate_limited()
    {
        var clock = ManualClock.AtVectorTime();
        var handler = StubHandler.Sequence(
            _ => WeChatPayServer.Error(HttpStatusCode.TooManyRequests, "FREQUENCY_LIMITED", "频率超限"),
            _ => WeChatPayServer.Signed(clock, Transactions.Refund));
        var sdk = TestSdk.Create(handler, clock: clock);

        var refund = await sdk.Client.QueryRefundAsync(OutTradeNo + "-1");

        refund.Status.ShouldBe(WeChatPayRefundStatus.Processing);
        handler.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Never_retries_a_definitive_refusal()
    {
        var handler = StubHandler.Answering(_ => WeChatPayServer.Error(HttpStatusCode.BadRequest, "ORDER_CLOSED", "订单已关闭"));
        var sdk = TestSdk.Create(handler, options => options.RetryAttempts = 3);

        var error = await Should.ThrowAsync<WeChatPayException>(() => sdk.Client.CloseAsync(OutTradeNo));

        error.Category.ShouldBe(WeChatPayErrorCategory.OrderClosed);
        handler.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Surfaces_a_hang_as_transient_with_an_unknown_outcome()
    {
        var handler = StubHandler.Hanging();
        var sdk = TestSdk.Create(handler, options =>
        {
            options.Timeout = TimeSpan.FromMilliseconds(300);
            options.RetryAttempts = 0;
        });

        var error = await Should.ThrowAsync<WeChatPayException>(() => sdk.Client.RefundAsync(new RefundRequest(OutTradeNo, "r-1", 1, 1)));

        error.Category.ShouldBe(WeChatPayErrorCategory.Transient);
        error.OutcomeUnknown.ShouldBeTrue();
        error.InnerException.ShouldBeOfType<TimeoutRejectedException>();
        handler.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Times_out_each_attempt_and_retries_it()
    {
        var handler = StubHandler.Hanging();
        var sdk = TestSdk.Create(handler, options =>
        {
            options.Timeout = TimeSpan.FromMilliseconds(200);
            options.RetryAttempts = 1;
        });

        var error = await Should.ThrowAsync<WeChatPayException>(() => sdk.Client.CreateNativePrepayAsync(
            new NativePrepayRequest(OutTradeNo, "Cola", 300, DateTimeOffset.UnixEpoch)));

        error.OutcomeUnknown.ShouldBeTrue();
        handler.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Gives_up_on_the_whole_call_at_the_total_timeout()
    {
        var handler = StubHandler.Hanging();
        var sdk = TestSdk.Create(handler, options =>
        {
            options.Timeout = TimeSpan.FromMilliseconds(200);
            options.RetryAttempts = 10;
            options.TotalTimeout = TimeSpan.FromMilliseconds(500);
        });

        var error = await Should.ThrowAsync<WeChatPayException>(() => sdk.Client.QueryByOutTradeNoAsync(OutTradeNo));

        error.Category.ShouldBe(WeChatPayErrorCategory.Transient);
        error.OutcomeUnknown.ShouldBeTrue();
        handler.Requests.Count.ShouldBeInRange(2, 3);
    }

    [Fact]
    public async Task Lets_the_callers_own_cancellation_propagate()
    {
        using var cancellation = new CancellationTokenSource();
        var handler = new StubHandler(async (_, token) =>
        {
            cancellation.CancelAfter(TimeSpan.FromMilliseconds(20));
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        });
        var sdk = TestSdk.Create(handler, options => options.Timeout = TimeSpan.FromSeconds(30));

        var thrown = await Should.ThrowAsync<Exception>(() => sdk.Client.QueryByOutTradeNoAsync(OutTradeNo, cancellation.Token));

        thrown.ShouldBeAssignableTo<OperationCanceledException>();
        handler.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Opens_the_circuit_after_repeated_transient_failures_and_sends_nothing_while_open()
    {
        var handler = StubHandler.Answering(Unavailable);
        var sdk = TestSdk.Create(handler, options =>
        {
            options.RetryAttempts = 0;
            options.CircuitMinimumThroughput = 4;
            options.CircuitBreakDuration = TimeSpan.FromMinutes(1);
        });
        for (var i = 0; i < 4; i++)
        {
            await Should.ThrowAsync<WeChatPayException>(() => sdk.Client.QueryByOutTradeNoAsync(OutTradeNo));
        }

        var error = await Should.ThrowAsync<WeChatPayException>(() => sdk.Client.CloseAsync(OutTradeNo));

        error.Category.ShouldBe(WeChatPayErrorCategory.Transient);
        error.OutcomeUnknown.ShouldBeFalse();
        error.InnerException.ShouldBeOfType<BrokenCircuitException>();
        handler.Requests.Count.ShouldBe(4);
    }

    [Fact]
    public async Task Refusals_never_open_the_circuit()
    {
        var handler = StubHandler.Answering(_ => WeChatPayServer.Error(HttpStatusCode.NotFound, "ORDER_NOT_EXIST", "订单不存在"));
        var sdk = TestSdk.Create(handler, options => options.CircuitMinimumThroughput = 4);
        for (var i = 0; i < 8; i++)
        {
            var error = await Should.ThrowAsync<WeChatPayException>(() => sdk.Client.QueryByOutTradeNoAsync(OutTradeNo));
            error.Category.ShouldBe(WeChatPayErrorCategory.NotFound);
        }

        handler.Requests.Count.ShouldBe(8);
    }

    private static Task Invoke(IWeChatPayClient client, string operation) => operation switch
    {
        "native" => client.CreateNativePrepayAsync(new NativePrepayRequest(OutTradeNo, "Cola", 300, DateTimeOffset.UnixEpoch)),
        "jsapi" => client.CreateJsapiPrepayAsync(new JsapiPrepayRequest(OutTradeNo, "Cola", 300, DateTimeOffset.UnixEpoch, "openid")),
        "query" => client.QueryByOutTradeNoAsync(OutTradeNo),
        "close" => client.CloseAsync(OutTradeNo),
        "refund" => client.RefundAsync(new RefundRequest(OutTradeNo, OutTradeNo + "-1", 300, 300)),
        "refund.query" => client.QueryRefundAsync(OutTradeNo + "-1"),
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, null),
    };
}
