using System.Net;
using Vending.Platform.Tests.Support;
using WeChatPay.Tests.Support;

namespace WeChatPay.Tests;

public class ErrorMappingTests
{
    public static TheoryData<int, string, WeChatPayErrorCategory, bool> Errors => new()
    {
        { 400, "PARAM_ERROR", WeChatPayErrorCategory.InvalidRequest, false },
        { 400, "INVALID_REQUEST", WeChatPayErrorCategory.InvalidRequest, false },
        { 401, "SIGN_ERROR", WeChatPayErrorCategory.SignError, false },
        { 403, "NO_AUTH", WeChatPayErrorCategory.NoAuth, false },
        { 403, "NOT_ENOUGH", WeChatPayErrorCategory.NotEnough, false },
        { 403, "RULE_LIMIT", WeChatPayErrorCategory.RuleLimit, false },
        { 403, "TRADE_ERROR", WeChatPayErrorCategory.TradeError, false },
        { 404, "ORDER_NOT_EXIST", WeChatPayErrorCategory.NotFound, false },
        { 404, "RESOURCE_NOT_EXISTS", WeChatPayErrorCategory.NotFound, false },
        { 400, "ORDER_CLOSED", WeChatPayErrorCategory.OrderClosed, false },
        { 400, "ORDERPAID", WeChatPayErrorCategory.OrderPaid, false },
        { 429, "FREQUENCY_LIMITED", WeChatPayErrorCategory.RateLimited, true },
        { 429, "RATELIMIT_EXCEEDED", WeChatPayErrorCategory.RateLimited, true },
        { 500, "SYSTEM_ERROR", WeChatPayErrorCategory.Transient, true },
        { 502, "", WeChatPayErrorCategory.Transient, true },
        { 503, "", WeChatPayErrorCategory.Transient, true },
        { 403, "", WeChatPayErrorCategory.NoAuth, false },
        { 418, "SOMETHING_NEW", WeChatPayErrorCategory.Unknown, false },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task Maps_each_documented_error_to_its_category_and_outcome(int status, string code, WeChatPayErrorCategory category, bool outcomeUnknown)
    {
        var handler = StubHandler.Answering(_ => code.Length == 0
            ? WeChatPayServer.Unsigned((HttpStatusCode)status, "<html>Bad Gateway</html>")
            : WeChatPayServer.Error((HttpStatusCode)status, code, "说明"));
        var sdk = TestSdk.Create(handler, options => options.RetryAttempts = 0);

        var error = await Should.ThrowAsync<WeChatPayException>(() => sdk.Client.CloseAsync("20261122014815000000000001"));

        error.Category.ShouldBe(category);
        error.OutcomeUnknown.ShouldBe(outcomeUnknown);
        error.HttpStatus.ShouldBe(status);
        error.Code.ShouldBe(code);
        error.Operation.ShouldBe("transactions.close");
    }

    [Fact]
    public async Task Carries_wechat_pays_message_in_the_exception()
    {
        var handler = StubHandler.Answering(_ => WeChatPayServer.Error(HttpStatusCode.NotFound, "ORDER_NOT_EXIST", "订单不存在"));
        var sdk = TestSdk.Create(handler);

        var error = await Should.ThrowAsync<WeChatPayException>(() => sdk.Client.QueryByOutTradeNoAsync("20261122014815000000000001"));

        error.WeChatMessage.ShouldBe("订单不存在");
        error.Message.ShouldBe("WeChat Pay transactions.query failed: NotFound ORDER_NOT_EXIST, HTTP 404: 订单不存在");
    }

    [Fact]
    public async Task Logs_the_detail_of_a_sign_error_because_it_shows_what_wechat_pay_expected()
    {
        using var logs = new CapturingLoggerProvider();
        const string Detail = """{"detail":{"sign_information":{"method":"GET","sign_message_length":98,"truncated_sign_message":"GET\n/v3/pay/transactions/out-trade-no/20261122014815000000000001?mchid=1230000109\n","url":"/v3/pay/transactions/out-trade-no/20261122014815000000000001"}}}""";
        var handler = StubHandler.Answering(_ => WeChatPayServer.Error(HttpStatusCode.Unauthorized, "SIGN_ERROR", "签名错误", Detail));
        var sdk = TestSdk.Create(handler, logs: logs);

        var error = await Should.ThrowAsync<WeChatPayException>(() => sdk.Client.QueryByOutTradeNoAsync("20261122014815000000000001"));

        error.Category.ShouldBe(WeChatPayErrorCategory.SignError);
        logs.Entries.ShouldContain(entry => entry.StartsWith("Error:", StringComparison.Ordinal) && entry.Contains("sign_message_length"));
    }

    [Fact]
    public async Task Treats_a_signed_2xx_of_the_wrong_shape_as_an_unknown_outcome()
    {
        var (sdk, _) = TestSdk.AnsweringSigned("""{"unexpected":true}""");

        var error = await Should.ThrowAsync<WeChatPayException>(() => sdk.Client.CreateNativePrepayAsync(
            new NativePrepayRequest("20261122014815000000000001", "Cola", 300, DateTimeOffset.UnixEpoch)));

        error.Category.ShouldBe(WeChatPayErrorCategory.Unknown);
        error.OutcomeUnknown.ShouldBeTrue();
    }

    [Theory]
    [InlineData(HttpRequestError.NameResolutionError, false)]
    [InlineData(HttpRequestError.ConnectionError, false)]
    [InlineData(HttpRequestError.ResponseEnded, true)]
    [InlineData(HttpRequestError.Unknown, true)]
    public async Task Knows_the_outcome_of_a_transport_failure_only_when_nothing_left_the_machine(HttpRequestError failure, bool outcomeUnknown)
    {
        var handler = new StubHandler((_, _) => throw new HttpRequestException(failure, "transport"));
        var sdk = TestSdk.Create(handler, options => options.RetryAttempts = 0);

        var error = await Should.ThrowAsync<WeChatPayException>(() => sdk.Client.RefundAsync(new RefundRequest("20261122014815000000000001", "r-1", 1, 1)));

        error.Category.ShouldBe(WeChatPayErrorCategory.Transient);
        error.OutcomeUnknown.ShouldBe(outcomeUnknown);
    }
}
