using System.Net;
using System.Text.Json;
using WeChatPay.Tests.Support;

namespace WeChatPay.Tests;

public class EndpointTests
{
    private const string OutTradeNo = "20261122014815000000000001";

    [Fact]
    public async Task Creates_a_native_prepay_with_the_merchants_ids_and_pay_before_at_china_time()
    {
        var (sdk, handler) = TestSdk.AnsweringSigned("""{"code_url":"weixin://wxpay/bizpayurl?pr=p4lpSuKzz"}""");

        var result = await sdk.Client.CreateNativePrepayAsync(new NativePrepayRequest(OutTradeNo, "Cola 330ml x2", 1150, DateTimeOffset.Parse("2026-11-22T02:06:16Z")));

        var sent = handler.Requests.ShouldHaveSingleItem();
        Shape(sent).ShouldBe(("POST", "/v3/pay/transactions/native", ""));
        sent.ContentType.ShouldBe("application/json");
        Json(sent).ShouldBe(Json("""
            {"appid":"wxd678efh567hg6787","mchid":"1230000109","description":"Cola 330ml x2","out_trade_no":"20261122014815000000000001",
             "time_expire":"2026-11-22T10:06:16+08:00","notify_url":"https://merchant.example.com/api/v1/payments/wechatpay/notify",
             "amount":{"total":1150,"currency":"CNY"}}
            """));
        result.ShouldBe(new NativePrepayResult("weixin://wxpay/bizpayurl?pr=p4lpSuKzz"));
    }

    [Fact]
    public async Task Creates_a_jsapi_prepay_for_the_payer()
    {
        var (sdk, handler) = TestSdk.AnsweringSigned("""{"prepay_id":"wx201410272009395522657a690389285100"}""");

        var result = await sdk.Client.CreateJsapiPrepayAsync(new JsapiPrepayRequest(
            OutTradeNo, "Cola 330ml x2", 1150, DateTimeOffset.Parse("2026-11-22T10:06:16+08:00"), "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"));

        var sent = handler.Requests.ShouldHaveSingleItem();
        Shape(sent).ShouldBe(("POST", "/v3/pay/transactions/jsapi", ""));
        Json(sent).ShouldBe(Json("""
            {"appid":"wxd678efh567hg6787","mchid":"1230000109","description":"Cola 330ml x2","out_trade_no":"20261122014815000000000001",
             "time_expire":"2026-11-22T10:06:16+08:00","notify_url":"https://merchant.example.com/api/v1/payments/wechatpay/notify",
             "amount":{"total":1150,"currency":"CNY"},"payer":{"openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}}
            """));
        result.PrepayId.ShouldBe("wx201410272009395522657a690389285100");
    }

    [Fact]
    public async Task Queries_a_payment_by_out_trade_no_with_the_mchid_in_the_query()
    {
        var (sdk, handler) = TestSdk.AnsweringSigned(Transactions.Paid);

        var transaction = await sdk.Client.QueryByOutTradeNoAsync(OutTradeNo);

        var sent = handler.Requests.ShouldHaveSingleItem();
        Shape(sent).ShouldBe(("GET", "/v3/pay/transactions/out-trade-no/20261122014815000000000001", "?mchid=1230000109"));
        sent.Body.ShouldBeEmpty();
        transaction.ShouldBe(Transactions.Read(Transactions.Paid));
        transaction.TradeState.ShouldBe(WeChatPayTradeState.Success);
        transaction.Amount!.Total.ShouldBe(1150);
    }

    [Fact]
    public async Task Reads_an_unpaid_payment_without_the_fields_only_a_paid_one_has()
    {
        var (sdk, _) = TestSdk.AnsweringSigned(Transactions.NotPaid);

        var transaction = await sdk.Client.QueryByOutTradeNoAsync(OutTradeNo);

        transaction.TradeState.ShouldBe(WeChatPayTradeState.NotPay);
        transaction.TransactionId.ShouldBeNull();
        transaction.SuccessTime.ShouldBeNull();
        transaction.Amount.ShouldBe(new WeChatPayTransactionAmount(1150, null, null, "CNY"));
    }

    [Fact]
    public async Task Reads_a_trade_state_it_does_not_know_as_unknown()
    {
        var (sdk, _) = TestSdk.AnsweringSigned(Transactions.NotPaid.Replace("NOTPAY", "SOMETHING_NEW"));

        var transaction = await sdk.Client.QueryByOutTradeNoAsync(OutTradeNo);

        transaction.TradeState.ShouldBe(WeChatPayTradeState.Unknown);
    }

    [Fact]
    public async Task Closes_a_payment_with_the_mchid_in_the_body()
    {
        var (sdk, handler) = TestSdk.AnsweringSigned("", HttpStatusCode.NoContent);

        await sdk.Client.CloseAsync(OutTradeNo);

        var sent = handler.Requests.ShouldHaveSingleItem();
        Shape(sent).ShouldBe(("POST", "/v3/pay/transactions/out-trade-no/20261122014815000000000001/close", ""));
        sent.Text.ShouldBe("""{"mchid":"1230000109"}""");
    }

    [Fact]
    public async Task Refunds_with_the_notify_url_and_leaves_out_an_absent_reason()
    {
        var (sdk, handler) = TestSdk.AnsweringSigned(Transactions.Refund);

        var refund = await sdk.Client.RefundAsync(new RefundRequest(OutTradeNo, OutTradeNo + "-1", 550, 1150));

        var sent = handler.Requests.ShouldHaveSingleItem();
        Shape(sent).ShouldBe(("POST", "/v3/refund/domestic/refunds", ""));
        Json(sent).ShouldBe(Json("""
            {"out_trade_no":"20261122014815000000000001","out_refund_no":"20261122014815000000000001-1",
             "notify_url":"https://merchant.example.com/api/v1/payments/wechatpay/notify","amount":{"refund":550,"total":1150,"currency":"CNY"}}
            """));
        refund.ShouldBe(new WeChatPayRefund("50000000382019052709732678859", "20261122014815000000000001-1", WeChatPayRefundStatus.Processing,
            "4200002026112212345678901234", OutTradeNo, "ORIGINAL", null, DateTimeOffset.Parse("2026-11-22T10:00:00+08:00"),
            new WeChatPayRefundAmount(1150, 550, 1150, 550, "CNY")));
    }

    [Fact]
    public async Task Sends_a_refund_reason_when_there_is_one()
    {
        var (sdk, handler) = TestSdk.AnsweringSigned(Transactions.Refund);

        await sdk.Client.RefundAsync(new RefundRequest(OutTradeNo, OutTradeNo + "-1", 550, 1150, "出货失败"));

        handler.Requests.ShouldHaveSingleItem().Text.ShouldContain("\"reason\":\"出货失败\"");
    }

    [Fact]
    public async Task Queries_a_refund_by_out_refund_no()
    {
        var (sdk, handler) = TestSdk.AnsweringSigned(Transactions.Refund.Replace("PROCESSING", "SUCCESS"));

        var refund = await sdk.Client.QueryRefundAsync(OutTradeNo + "-1");

        var sent = handler.Requests.ShouldHaveSingleItem();
        Shape(sent).ShouldBe(("GET", "/v3/refund/domestic/refunds/20261122014815000000000001-1", ""));
        sent.Body.ShouldBeEmpty();
        refund.Status.ShouldBe(WeChatPayRefundStatus.Success);
    }

    public static TheoryData<string, Func<IWeChatPayClient, Task>> InvalidArguments => new()
    {
        { "out_trade_no too short", client => client.QueryByOutTradeNoAsync("12345") },
        { "out_trade_no too long", client => client.CloseAsync(new string('1', 33)) },
        { "out_trade_no with a slash", client => client.QueryByOutTradeNoAsync("2026/1122/0001") },
        { "out_refund_no with a space", client => client.QueryRefundAsync("2026 1") },
        { "zero total", client => client.CreateNativePrepayAsync(new NativePrepayRequest(OutTradeNo, "Cola", 0, DateTimeOffset.UnixEpoch)) },
        { "long description", client => client.CreateNativePrepayAsync(new NativePrepayRequest(OutTradeNo, new string('x', 128), 1, DateTimeOffset.UnixEpoch)) },
        { "no openid", client => client.CreateJsapiPrepayAsync(new JsapiPrepayRequest(OutTradeNo, "Cola", 1, DateTimeOffset.UnixEpoch, " ")) },
        { "refund above total", client => client.RefundAsync(new RefundRequest(OutTradeNo, "r-1", 1151, 1150)) },
    };

    [Theory]
    [MemberData(nameof(InvalidArguments))]
    public async Task Refuses_arguments_wechat_pay_would_refuse_and_sends_nothing(string why, Func<IWeChatPayClient, Task> call)
    {
        var (sdk, handler) = TestSdk.AnsweringSigned("{}");

        await Should.ThrowAsync<ArgumentException>(() => call(sdk.Client), why);

        handler.Requests.ShouldBeEmpty();
    }

    private static (string Method, string Path, string Query) Shape(CapturedRequest request) =>
        (request.Method.Method, request.Path, request.Uri.Query);

    private static string Json(CapturedRequest request) => Json(request.Text);

    private static string Json(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);
}
