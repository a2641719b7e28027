using System.Net;
using WeChatPay.Simulator.Tests.Infrastructure;

namespace WeChatPay.Simulator.Tests;

public sealed class PrepayTests(SimFixture fixture) : IClassFixture<SimFixture>
{
    private const string Native = "/v3/pay/transactions/native";
    private const string Jsapi = "/v3/pay/transactions/jsapi";

    [Fact]
    public async Task Jsapi_prepay_answers_a_prepay_id()
    {
        var reply = await fixture.Wx.PostAsync(Jsapi, JsapiOrder(SimFixture.NewTradeNo(), "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"));

        reply.Status.ShouldBe(HttpStatusCode.OK, reply.Text);
        reply.Field("prepay_id").ShouldStartWith("wx");
        reply.Json.TryGetProperty("code_url", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task Jsapi_prepay_without_payer_openid_is_PARAM_ERROR()
    {
        var reply = await fixture.Wx.PostAsync(Jsapi, fixture.NativeOrder(SimFixture.NewTradeNo()));

        reply.Status.ShouldBe(HttpStatusCode.BadRequest);
        reply.Code.ShouldBe("PARAM_ERROR");
        reply.Json.GetProperty("detail").GetProperty("field").GetString().ShouldBe("/payer/openid");
    }

    [Fact]
    public async Task Repeating_a_prepay_with_the_same_parameters_answers_the_same_code_url()
    {
        var outTradeNo = SimFixture.NewTradeNo();
        var expire = SimFixture.TimeExpire(TimeSpan.FromHours(1));
        var first = await fixture.Wx.PostAsync(Native, fixture.NativeOrder(outTradeNo, timeExpire: expire));
        var reordered = $$"""
            {"amount":{"currency":"CNY","total":1150},"out_trade_no":"{{outTradeNo}}","appid":"{{WxClient.AppId}}","mchid":"{{WxClient.MchId}}",
             "notify_url":"{{fixture.Listener.UrlFor(outTradeNo)}}","time_expire":"{{expire}}","description":"Cola 330ml x2"}
            """;

        var again = await fixture.Wx.PostAsync(Native, fixture.NativeOrder(outTradeNo, timeExpire: expire));
        var sameFieldsOtherOrder = await fixture.Wx.SendAsync(HttpMethod.Post, Native, reordered);

        again.Field("code_url").ShouldBe(first.Field("code_url"));
        sameFieldsOtherOrder.Field("code_url").ShouldBe(first.Field("code_url"));
    }

    [Fact]
    public async Task Repeating_a_jsapi_prepay_answers_the_same_prepay_id()
    {
        var outTradeNo = SimFixture.NewTradeNo();
        var order = JsapiOrder(outTradeNo, "oUser1");
        var first = await fixture.Wx.PostAsync(Jsapi, order);

        var again = await fixture.Wx.PostAsync(Jsapi, order);

        again.Field("prepay_id").ShouldBe(first.Field("prepay_id"));
    }

    [Theory]
    [InlineData("amount")]
    [InlineData("description")]
    [InlineData("trade_type")]
    public async Task Repeating_a_prepay_with_other_parameters_is_INVALID_REQUEST(string change)
    {
        var outTradeNo = SimFixture.NewTradeNo();
        var expire = SimFixture.TimeExpire(TimeSpan.FromHours(1));
        await fixture.Wx.PostAsync(Native, fixture.NativeOrder(outTradeNo, timeExpire: expire));

        var reply = change switch
        {
            "amount" => await fixture.Wx.PostAsync(Native, fixture.NativeOrder(outTradeNo, total: 1151, timeExpire: expire)),
            "description" => await fixture.Wx.PostAsync(Native, new
            {
                appid = WxClient.AppId, mchid = WxClient.MchId, description = "Water", out_trade_no = outTradeNo, time_expire = expire,
                notify_url = fixture.Listener.UrlFor(outTradeNo), amount = new { total = 1150, currency = "CNY" },
            }),
            _ => await fixture.Wx.PostAsync(Jsapi, JsapiOrder(outTradeNo, "oUser1", expire)),
        };

        reply.Status.ShouldBe(HttpStatusCode.BadRequest);
        reply.Code.ShouldBe("INVALID_REQUEST");
    }

    [Fact]
    public async Task A_prepay_repeated_after_payment_is_ORDER_PAID()
    {
        var outTradeNo = SimFixture.NewTradeNo();
        var order = fixture.NativeOrder(outTradeNo);
        await fixture.Wx.PostAsync(Native, order);
        await fixture.Control.PayAsync(outTradeNo);

        var reply = await fixture.Wx.PostAsync(Native, order);

        reply.Status.ShouldBe(HttpStatusCode.BadRequest);
        reply.Code.ShouldBe("ORDER_PAID");
    }

    [Fact]
    public async Task A_prepay_repeated_after_close_is_ORDER_CLOSED()
    {
        var outTradeNo = SimFixture.NewTradeNo();
        var order = fixture.NativeOrder(outTradeNo);
        await fixture.Wx.PostAsync(Native, order);
        await fixture.CloseAsync(outTradeNo);

        var reply = await fixture.Wx.PostAsync(Native, order);

        reply.Code.ShouldBe("ORDER_CLOSED");
    }

    [Fact]
    public async Task An_amount_sent_as_a_string_is_PARAM_ERROR()
    {
        var body = $$"""
            {"appid":"{{WxClient.AppId}}","mchid":"{{WxClient.MchId}}","description":"Cola","out_trade_no":"{{SimFixture.NewTradeNo()}}",
             "notify_url":"{{fixture.Listener.UrlFor("x")}}","amount":{"total":"1150","currency":"CNY"} }
            """;

        var reply = await fixture.Wx.SendAsync(HttpMethod.Post, Native, body);

        reply.Status.ShouldBe(HttpStatusCode.BadRequest);
        reply.Code.ShouldBe("PARAM_ERROR");
        reply.Json.GetProperty("detail").GetProperty("field").GetString().ShouldBe("/amount/total");
    }

    [Theory]
    [InlineData("http://merchant.example/notify?token=abc")]
    [InlineData("not a url")]
    public async Task A_notify_url_with_a_query_or_no_scheme_is_PARAM_ERROR(string notifyUrl)
    {
        var reply = await fixture.Wx.PostAsync(Native, new
        {
            appid = WxClient.AppId, mchid = WxClient.MchId, description = "Cola", out_trade_no = SimFixture.NewTradeNo(),
            notify_url = notifyUrl, amount = new { total = 100, currency = "CNY" },
        });

        reply.Code.ShouldBe("PARAM_ERROR");
    }

    [Theory]
    [InlineData("12345")]
    [InlineData("has space 123")]
    [InlineData("123456789012345678901234567890123")]
    public async Task An_out_trade_no_outside_6_to_32_of_the_allowed_characters_is_PARAM_ERROR(string outTradeNo)
    {
        var reply = await fixture.Wx.PostAsync(Native, fixture.NativeOrder(outTradeNo));

        reply.Code.ShouldBe("PARAM_ERROR");
    }

    [Fact]
    public async Task A_time_expire_without_an_offset_is_PARAM_ERROR()
    {
        var reply = await fixture.Wx.PostAsync(Native, fixture.NativeOrder(SimFixture.NewTradeNo(), timeExpire: "2026-11-22 10:06:16"));

        reply.Code.ShouldBe("PARAM_ERROR");
    }

    [Fact]
    public async Task An_appid_of_another_account_is_APPID_MCHID_NOT_MATCH()
    {
        var reply = await fixture.Wx.PostAsync(Native, new
        {
            appid = "wx0000000000000000", mchid = WxClient.MchId, description = "Cola", out_trade_no = SimFixture.NewTradeNo(),
            notify_url = fixture.Listener.UrlFor("x"), amount = new { total = 100, currency = "CNY" },
        });

        reply.Code.ShouldBe("APPID_MCHID_NOT_MATCH");
    }

    [Fact]
    public async Task A_body_mchid_other_than_the_signer_is_PARAM_ERROR()
    {
        var reply = await fixture.Wx.PostAsync(Native, new
        {
            appid = WxClient.AppId, mchid = "1900000109", description = "Cola", out_trade_no = SimFixture.NewTradeNo(),
            notify_url = fixture.Listener.UrlFor("x"), amount = new { total = 100, currency = "CNY" },
        });

        reply.Code.ShouldBe("PARAM_ERROR");
        reply.Json.GetProperty("detail").GetProperty("field").GetString().ShouldBe("/mchid");
    }

    private object JsapiOrder(string outTradeNo, string openId, string? timeExpire = null) => new
    {
        appid = WxClient.AppId,
        mchid = WxClient.MchId,
        description = "Cola 330ml x2",
        out_trade_no = outTradeNo,
        time_expire = timeExpire ?? SimFixture.TimeExpire(TimeSpan.FromHours(2)),
        notify_url = fixture.Listener.UrlFor(outTradeNo),
        amount = new { total = 1150, currency = "CNY" },
        payer = new { openid = openId },
    };
}
