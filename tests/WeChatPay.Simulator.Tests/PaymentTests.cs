using System.Globalization;
using System.Net;
using WeChatPay.Simulator.Tests.Infrastructure;

namespace WeChatPay.Simulator.Tests;

public sealed class PaymentTests(SimFixture fixture) : IClassFixture<SimFixture>
{
    [Fact]
    public async Task Query_shows_NOTPAY_until_the_customer_pays_then_SUCCESS()
    {
        var outTradeNo = await fixture.UnpaidTradeAsync();

        var before = await fixture.QueryAsync(outTradeNo);
        await fixture.Control.PayAsync(outTradeNo);
        var after = await fixture.QueryAsync(outTradeNo);

        before.Field("trade_state").ShouldBe("NOTPAY");
        before.Json.TryGetProperty("transaction_id", out _).ShouldBeFalse();
        after.Field("trade_state").ShouldBe("SUCCESS");
        after.Field("transaction_id").Length.ShouldBe(28);
        after.Field("trade_type").ShouldBe("NATIVE");
        after.Field("success_time").ShouldEndWith("+08:00");
        after.Json.GetProperty("amount").GetProperty("total").GetInt64().ShouldBe(1150);
        after.Json.GetProperty("amount").GetProperty("payer_total").GetInt64().ShouldBe(1150);
        fixture.Verifier.ShouldVerify(after);
    }

    [Fact]
    public async Task Query_of_an_unknown_order_is_ORDER_NOT_EXIST()
    {
        var reply = await fixture.QueryAsync(SimFixture.NewTradeNo());

        reply.Status.ShouldBe(HttpStatusCode.NotFound);
        reply.Code.ShouldBe("ORDER_NOT_EXIST");
    }

    [Fact]
    public async Task Query_without_mchid_is_PARAM_ERROR()
    {
        var reply = await fixture.Wx.GetAsync($"/v3/pay/transactions/out-trade-no/{SimFixture.NewTradeNo()}");

        reply.Code.ShouldBe("PARAM_ERROR");
    }

    [Fact]
    public async Task Paying_sends_a_TRANSACTION_SUCCESS_notification_that_verifies_and_decrypts_to_the_query_answer()
    {
        var outTradeNo = await fixture.UnpaidTradeAsync();

        await fixture.Control.PayAsync(outTradeNo);

        var notification = (await fixture.Listener.WaitForAsync(outTradeNo, 1)).Single();
        fixture.Verifier.Verifies(notification.Headers, notification.Raw).ShouldBeTrue();
        notification.Header("Wechatpay-Signature-Type").ShouldBe("WECHATPAY2-SHA256-RSA2048");
        var body = notification.Json;
        body.GetProperty("event_type").GetString().ShouldBe("TRANSACTION.SUCCESS");
        body.GetProperty("resource_type").GetString().ShouldBe("encrypt-resource");
        body.GetProperty("id").GetString()!.ShouldStartWith("EV-");
        var resource = body.GetProperty("resource");
        resource.GetProperty("algorithm").GetString().ShouldBe("AEAD_AES_256_GCM");
        resource.GetProperty("original_type").GetString().ShouldBe("transaction");
        resource.GetProperty("associated_data").GetString().ShouldBe("transaction");
        var transaction = notification.Resource(SimFixture.ApiV3Key);
        transaction.GetRawText().ShouldBe((await fixture.QueryAsync(outTradeNo)).Text);
        transaction.GetProperty("mchid").GetString().ShouldBe(WxClient.MchId);
        transaction.GetProperty("appid").GetString().ShouldBe(WxClient.AppId);
    }

    [Fact]
    public async Task A_notify_url_answering_errors_is_retried_until_it_answers_2xx()
    {
        var outTradeNo = await fixture.UnpaidTradeAsync();
        fixture.Listener.Answer(outTradeNo, 500, 503);

        await fixture.Control.PayAsync(outTradeNo);

        var received = await fixture.Listener.WaitForAsync(outTradeNo, 3);
        received.Select(r => r.AnsweredWith).ShouldBe([500, 503, 204]);
        received.Select(r => r.Json.GetProperty("id").GetString()).Distinct().Count().ShouldBe(1);
        (received[1].At - received[0].At).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(10));
        await Wait.UntilAsync(async () => (await fixture.Control.NotificationsAsync(outTradeNo)).Single().GetProperty("status").GetString() == "delivered");
        var log = (await fixture.Control.NotificationsAsync(outTradeNo)).Single();
        log.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("http_status").GetInt32()).ShouldBe([500, 503, 204]);
    }

    [Fact]
    public async Task A_closed_order_cannot_be_paid_and_queries_as_CLOSED()
    {
        var outTradeNo = await fixture.UnpaidTradeAsync();

        var close = await fixture.CloseAsync(outTradeNo);
        var pay = await fixture.Control.TrySendAsync(HttpMethod.Post, $"/_sim/transactions/{outTradeNo}/pay", new { });

        close.Status.ShouldBe(HttpStatusCode.NoContent);
        pay.Status.ShouldBe(HttpStatusCode.Conflict);
        (await fixture.QueryAsync(outTradeNo)).Field("trade_state").ShouldBe("CLOSED");
        fixture.Listener.For(outTradeNo).ShouldBeEmpty();
    }

    [Fact]
    public async Task Closing_twice_is_ORDER_CLOSED()
    {
        var outTradeNo = await fixture.UnpaidTradeAsync();
        await fixture.CloseAsync(outTradeNo);

        var again = await fixture.CloseAsync(outTradeNo);

        again.Status.ShouldBe(HttpStatusCode.BadRequest);
        again.Code.ShouldBe("ORDER_CLOSED");
    }

    [Fact]
    public async Task Closing_a_paid_order_is_ORDER_PAID_and_it_stays_paid()
    {
        var outTradeNo = await fixture.PaidTradeAsync();

        var close = await fixture.CloseAsync(outTradeNo);

        close.Status.ShouldBe(HttpStatusCode.BadRequest);
        close.Code.ShouldBe("ORDER_PAID");
        (await fixture.QueryAsync(outTradeNo)).Field("trade_state").ShouldBe("SUCCESS");
    }

    [Fact]
    public async Task Closing_an_unknown_order_is_ORDER_NOT_EXIST()
    {
        var close = await fixture.CloseAsync(SimFixture.NewTradeNo());

        close.Status.ShouldBe(HttpStatusCode.NotFound);
        close.Code.ShouldBe("ORDER_NOT_EXIST");
    }

    [Fact]
    public async Task Paying_twice_is_refused()
    {
        var outTradeNo = await fixture.PaidTradeAsync();

        var again = await fixture.Control.TrySendAsync(HttpMethod.Post, $"/_sim/transactions/{outTradeNo}/pay", new { });

        again.Status.ShouldBe(HttpStatusCode.Conflict);
        (await fixture.Control.BookAsync(outTradeNo)).GetProperty("paid").GetInt64().ShouldBe(1150);
    }

    [Fact]
    public async Task A_payment_with_another_amount_is_reported_with_that_amount()
    {
        var outTradeNo = SimFixture.NewTradeNo();
        await fixture.NativeAsync(outTradeNo, total: 1150);

        await fixture.Control.PayAsync(outTradeNo, new { amount = 1 });

        var notified = (await fixture.Listener.WaitForAsync(outTradeNo, 1)).Single().Resource(SimFixture.ApiV3Key);
        notified.GetProperty("amount").GetProperty("total").GetInt64().ShouldBe(1);
        (await fixture.QueryAsync(outTradeNo)).Json.GetProperty("amount").GetProperty("total").GetInt64().ShouldBe(1);
        (await fixture.Control.BookAsync(outTradeNo)).GetProperty("paid").GetInt64().ShouldBe(1);
    }

    [Fact]
    public async Task A_failed_attempt_leaves_the_order_payable_and_shows_in_the_books()
    {
        var outTradeNo = await fixture.UnpaidTradeAsync();

        await fixture.Control.PostAsync($"/_sim/transactions/{outTradeNo}/fail", new { reason = "余额不足" });
        var stillUnpaid = await fixture.QueryAsync(outTradeNo);
        await fixture.Control.PayAsync(outTradeNo);

        stillUnpaid.Field("trade_state").ShouldBe("NOTPAY");
        var book = await fixture.Control.BookAsync(outTradeNo);
        book.GetProperty("payments").EnumerateArray().Select(p => p.GetProperty("outcome").GetString()).ShouldBe(["NOTPAY", "SUCCESS"]);
        book.GetProperty("paid").GetInt64().ShouldBe(1150);
    }

    [Fact]
    public async Task A_PAYERROR_ends_the_order_without_payment()
    {
        var outTradeNo = await fixture.UnpaidTradeAsync();

        await fixture.Control.PostAsync($"/_sim/transactions/{outTradeNo}/fail", new { trade_state = "PAYERROR" });
        var pay = await fixture.Control.TrySendAsync(HttpMethod.Post, $"/_sim/transactions/{outTradeNo}/pay", new { });

        (await fixture.QueryAsync(outTradeNo)).Field("trade_state").ShouldBe("PAYERROR");
        pay.Status.ShouldBe(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_jsapi_payment_checks_the_pay_sign_the_merchant_gave_the_mini_program()
    {
        var outTradeNo = SimFixture.NewTradeNo();
        var prepay = await fixture.Wx.PostAsync("/v3/pay/transactions/jsapi", new
        {
            appid = WxClient.AppId, mchid = WxClient.MchId, description = "Cola", out_trade_no = outTradeNo,
            notify_url = fixture.Listener.UrlFor(outTradeNo), amount = new { total = 300, currency = "CNY" }, payer = new { openid = "oBuyer" },
        });
        var package = "prepay_id=" + prepay.Field("prepay_id");
        var timeStamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        const string nonce = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS";
        var paySign = TestCrypto.Sign(fixture.Wx.MerchantKey, $"{WxClient.AppId}\n{timeStamp}\n{nonce}\n{package}\n");
        object Parameters(string sign) => new
        {
            jsapi = new { app_id = WxClient.AppId, time_stamp = timeStamp, nonce_str = nonce, package, sign_type = "RSA", pay_sign = sign },
        };

        var forged = await fixture.Control.TrySendAsync(HttpMethod.Post, $"/_sim/transactions/{outTradeNo}/pay", Parameters(paySign[..^4] + "AAA="));
        var paid = await fixture.Control.PayAsync(outTradeNo, Parameters(paySign));

        forged.Status.ShouldBe(HttpStatusCode.BadRequest);
        paid.GetProperty("trade_state").GetString().ShouldBe("SUCCESS");
        paid.GetProperty("attempts")[0].GetProperty("openid").GetString().ShouldBe("oBuyer");
    }
}

public sealed class ExpiryTests(SimFixture fixture) : IClassFixture<SimFixture>
{
    [Fact]
    public async Task An_order_past_time_expire_cannot_be_paid_and_its_prepay_is_not_repeated()
    {
        var outTradeNo = SimFixture.NewTradeNo();
        var order = fixture.NativeOrder(outTradeNo, timeExpire: SimFixture.TimeExpire(TimeSpan.FromMinutes(5)));
        await fixture.Wx.PostAsync("/v3/pay/transactions/native", order);

        await fixture.Control.AdvanceClockAsync(301);
        var pay = await fixture.Control.TrySendAsync(HttpMethod.Post, $"/_sim/transactions/{outTradeNo}/pay", new { });
        var repeat = await fixture.Wx.PostAsync("/v3/pay/transactions/native", order);
        var query = await fixture.QueryAsync(outTradeNo);
        var close = await fixture.CloseAsync(outTradeNo);

        pay.Status.ShouldBe(HttpStatusCode.Conflict);
        repeat.Code.ShouldBe("INVALID_REQUEST");
        query.Field("trade_state").ShouldBe("NOTPAY");
        close.Status.ShouldBe(HttpStatusCode.NoContent);
        (await fixture.Control.GetAsync("/_sim/clock")).GetProperty("offset_seconds").GetDouble().ShouldBeGreaterThanOrEqualTo(301);
    }
}
