using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using WeChatPay.Simulator.Tests.Infrastructure;

namespace WeChatPay.Simulator.Tests;

public sealed class SignatureTests(SimFixture fixture) : IClassFixture<SimFixture>
{
    private const string Native = "/v3/pay/transactions/native";

    [Fact]
    public async Task A_request_signed_by_the_merchant_is_accepted()
    {
        var reply = await fixture.Wx.PostAsync(Native, fixture.NativeOrder(SimFixture.NewTradeNo()));

        reply.Status.ShouldBe(HttpStatusCode.OK, reply.Text);
        reply.Field("code_url").ShouldStartWith("weixin://wxpay/bizpayurl?pr=");
    }

    [Fact]
    public async Task A_tampered_body_is_refused_with_SIGN_ERROR_and_creates_nothing()
    {
        var outTradeNo = SimFixture.NewTradeNo();
        var signed = JsonSerializer.Serialize(fixture.NativeOrder(outTradeNo, total: 1));

        var reply = await fixture.Wx.PostAsync(Native, fixture.NativeOrder(outTradeNo, total: 1150), new Signing { SignedBody = signed });

        ShouldBeSignError(reply, "sign not match");
        (await fixture.QueryAsync(outTradeNo)).Status.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_request_signed_with_another_key_is_refused()
    {
        using var stranger = RSA.Create(2048);

        var reply = await fixture.Wx.PostAsync(Native, fixture.NativeOrder(SimFixture.NewTradeNo()), new Signing { Key = stranger });

        ShouldBeSignError(reply, "sign not match");
    }

    [Theory]
    [InlineData(-6)]
    [InlineData(6)]
    public async Task A_timestamp_more_than_five_minutes_off_is_refused(int minutes)
    {
        var reply = await fixture.Wx.PostAsync(
            Native, fixture.NativeOrder(SimFixture.NewTradeNo()), new Signing { At = DateTimeOffset.UtcNow.AddMinutes(minutes) });

        ShouldBeSignError(reply, "timestamp");
    }

    [Fact]
    public async Task A_timestamp_four_minutes_old_is_still_accepted()
    {
        var reply = await fixture.Wx.PostAsync(
            Native, fixture.NativeOrder(SimFixture.NewTradeNo()), new Signing { At = DateTimeOffset.UtcNow.AddMinutes(-4) });

        reply.Status.ShouldBe(HttpStatusCode.OK, reply.Text);
    }

    [Fact]
    public async Task Another_mchid_in_the_authorization_is_refused()
    {
        var reply = await fixture.Wx.PostAsync(Native, fixture.NativeOrder(SimFixture.NewTradeNo()), new Signing { MchId = "1900000109" });

        ShouldBeSignError(reply, "mchid");
    }

    [Fact]
    public async Task Another_certificate_serial_is_refused()
    {
        var reply = await fixture.Wx.PostAsync(Native, fixture.NativeOrder(SimFixture.NewTradeNo()), new Signing { Serial = "0123456789ABCDEF" });

        ShouldBeSignError(reply, "serial_no");
    }

    [Fact]
    public async Task A_signature_over_the_path_without_its_query_is_refused()
    {
        var outTradeNo = await fixture.UnpaidTradeAsync();
        var path = $"/v3/pay/transactions/out-trade-no/{outTradeNo}";

        var reply = await fixture.Wx.GetAsync($"{path}?mchid={WxClient.MchId}", new Signing { SignedUrl = path });

        ShouldBeSignError(reply, "sign not match");
        reply.Json.GetProperty("detail").GetProperty("sign_information").GetProperty("truncated_sign_message").GetString()
            .ShouldStartWith($"GET\n{path}?mchid={WxClient.MchId}\n");
    }

    [Fact]
    public async Task The_url_is_signed_as_it_goes_over_the_wire_percent_encoding_included()
    {
        var outTradeNo = SimFixture.NewTradeNo() + "|7";
        await fixture.Wx.PostAsync("/v3/pay/transactions/native", fixture.NativeOrder(outTradeNo, notifyKey: "pipe"));
        var onTheWire = $"/v3/pay/transactions/out-trade-no/{outTradeNo.Replace("|", "%7C", StringComparison.Ordinal)}?mchid={WxClient.MchId}";

        var asSent = await fixture.Wx.GetAsync(onTheWire);
        var decoded = await fixture.Wx.GetAsync(onTheWire, new Signing { SignedUrl = onTheWire.Replace("%7C", "|", StringComparison.Ordinal) });

        asSent.Status.ShouldBe(HttpStatusCode.OK, asSent.Text);
        asSent.Field("out_trade_no").ShouldBe(outTradeNo);
        ShouldBeSignError(decoded, "sign not match");
    }

    [Fact]
    public async Task A_request_without_authorization_is_refused()
    {
        var reply = await fixture.Wx.PostAsync(Native, fixture.NativeOrder(SimFixture.NewTradeNo()), new Signing { Unsigned = true });

        ShouldBeSignError(reply, "missing");
    }

    [Fact]
    public async Task Unquoted_authorization_values_are_refused()
    {
        var reply = await fixture.Wx.SendAsync(HttpMethod.Get, $"/v3/pay/transactions/out-trade-no/T000001?mchid={WxClient.MchId}", null, null, request =>
        {
            var header = request.Headers.GetValues("Authorization").Single().Replace("\"", "", StringComparison.Ordinal);
            request.Headers.Remove("Authorization");
            request.Headers.TryAddWithoutValidation("Authorization", header);
        });

        ShouldBeSignError(reply, "key=\"value\"");
    }

    [Fact]
    public async Task A_request_without_user_agent_is_INVALID_REQUEST()
    {
        var reply = await fixture.Wx.SendAsync(HttpMethod.Get, $"/v3/pay/transactions/out-trade-no/T000001?mchid={WxClient.MchId}", null, null,
            request => request.Headers.Remove("User-Agent"));

        reply.Status.ShouldBe(HttpStatusCode.BadRequest);
        reply.Code.ShouldBe("INVALID_REQUEST");
    }

    [Fact]
    public async Task A_request_accepting_only_xml_is_INVALID_REQUEST()
    {
        var reply = await fixture.Wx.SendAsync(HttpMethod.Get, $"/v3/pay/transactions/out-trade-no/T000001?mchid={WxClient.MchId}", null, null, request =>
        {
            request.Headers.Remove("Accept");
            request.Headers.TryAddWithoutValidation("Accept", "application/xml");
        });

        reply.Status.ShouldBe(HttpStatusCode.BadRequest);
        reply.Code.ShouldBe("INVALID_REQUEST");
    }

    [Fact]
    public async Task Error_answers_carry_no_signature()
    {
        var reply = await fixture.QueryAsync("T-never-created");

        reply.Status.ShouldBe(HttpStatusCode.NotFound);
        reply.Code.ShouldBe("ORDER_NOT_EXIST");
        reply.Header("Wechatpay-Signature").ShouldBeNull();
        reply.Header("Request-ID").ShouldNotBeNull();
    }

    private static void ShouldBeSignError(WxReply reply, string issue)
    {
        reply.Status.ShouldBe(HttpStatusCode.Unauthorized, reply.Text);
        reply.Code.ShouldBe("SIGN_ERROR");
        reply.Json.GetProperty("detail").GetProperty("detail").GetProperty("issue").GetString()!.ShouldContain(issue);
        reply.Header("Wechatpay-Signature").ShouldBeNull();
    }
}
