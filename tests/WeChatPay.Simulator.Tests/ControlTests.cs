using System.Net;
using System.Security.Cryptography;
using WeChatPay.Simulator.Tests.Infrastructure;

namespace WeChatPay.Simulator.Tests;

public sealed class ControlTests(SimFixture fixture) : IClassFixture<SimFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    // Tests here replace the merchant; the next one starts from the options again.
    public async Task DisposeAsync()
    {
        await fixture.Control.PostAsync("/_sim/reset");
        fixture.Wx.MerchantKey = SharedFiles.Key("merchant_private.pem");
        fixture.Wx.SignerMchId = WxClient.MchId;
        fixture.Wx.SignerSerial = WxClient.Serial;
    }

    [Fact]
    public async Task A_merchant_set_over_the_control_api_is_verified_with_its_new_key()
    {
        using var key = RSA.Create(2048);
        var oldKey = fixture.Wx.MerchantKey;

        var merchant = await fixture.Control.PutAsync("/_sim/merchant", new
        {
            mchid = "1900000001",
            appid = "wx1111111111111111",
            public_key_pem = key.ExportSubjectPublicKeyInfoPem(),
            certificate_serial = "ABCDEF0123456789",
        });
        fixture.Wx.MerchantKey = key;
        fixture.Wx.SignerMchId = "1900000001";
        fixture.Wx.SignerSerial = "ABCDEF0123456789";
        var accepted = await fixture.Wx.PostAsync("/v3/pay/transactions/native", new
        {
            appid = "wx1111111111111111", mchid = "1900000001", description = "Cola", out_trade_no = SimFixture.NewTradeNo(),
            notify_url = fixture.Listener.UrlFor("x"), amount = new { total = 100, currency = "CNY" },
        });
        var oldKeyRefused = await fixture.Wx.GetAsync("/v3/certificates", new Signing { Key = oldKey });

        merchant.GetProperty("mchid").GetString().ShouldBe("1900000001");
        merchant.GetProperty("public_key_configured").GetBoolean().ShouldBeTrue();
        accepted.Status.ShouldBe(HttpStatusCode.OK, accepted.Text);
        oldKeyRefused.Code.ShouldBe("SIGN_ERROR");
    }

    [Fact]
    public async Task A_new_apiv3_key_seals_certificates_and_notifications()
    {
        const string newKey = "Zz9yXw8vUt7sRq6pOn5mLk4jIh3gFe2d";
        await fixture.Control.PutAsync("/_sim/merchant", new { apiv3_key = newKey });
        var outTradeNo = await fixture.PaidTradeAsync();

        var download = await fixture.Wx.GetAsync("/v3/certificates");

        AnswerVerifier.Certificates(download.Json, newKey).Count.ShouldBe(1);
        Should.Throw<CryptographicException>(() => AnswerVerifier.Certificates(download.Json, SimFixture.ApiV3Key));
        (await fixture.Listener.WaitForAsync(outTradeNo, 1)).Single().Resource(newKey)
            .GetProperty("out_trade_no").GetString().ShouldBe(outTradeNo);
    }

    [Theory]
    [InlineData("too-short")]
    [InlineData("Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zX")]
    public async Task An_apiv3_key_that_is_not_32_ascii_characters_is_refused(string apiV3Key)
    {
        var reply = await fixture.Control.TrySendAsync(HttpMethod.Put, "/_sim/merchant", new { apiv3_key = apiV3Key });

        reply.Status.ShouldBe(HttpStatusCode.BadRequest);
        reply.Json.GetProperty("error").GetString()!.ShouldContain("APIv3 key");
        reply.Json.GetProperty("error").GetString()!.ShouldNotContain(apiV3Key);
    }

    [Fact]
    public void The_simulator_refuses_to_start_with_a_malformed_apiv3_key()
    {
        var failure = Should.Throw<ArgumentException>(() => WeChatPaySimApp.Build(["--urls", "http://127.0.0.1:0"], o => o.ApiV3Key = "short"));

        failure.Message.ShouldContain("APIv3 key");
    }

    [Fact]
    public async Task Reset_clears_trades_logs_faults_rotations_and_settings()
    {
        var outTradeNo = await fixture.PaidTradeAsync();
        var original = (await fixture.Control.GetAsync("/_sim/keys")).GetProperty("certificate_serial").GetString();
        await fixture.Control.PostAsync("/_sim/certificates");
        await fixture.Control.PutAsync("/_sim/settings", new { signing_mode = "both" });
        await fixture.Control.EndpointFaultAsync(new { endpoint = "certificates", mode = "error500", sticky = true });

        var state = await fixture.Control.PostAsync("/_sim/reset");

        state.GetProperty("transactions").EnumerateObject().ShouldBeEmpty();
        state.GetProperty("pending_faults").GetInt32().ShouldBe(0);
        state.GetProperty("signing_mode").GetString().ShouldBe("public_key");
        (await fixture.QueryAsync(outTradeNo)).Code.ShouldBe("ORDER_NOT_EXIST");
        (await fixture.Control.GetAsync("/_sim/keys")).GetProperty("certificates").GetArrayLength().ShouldBe(1);
        (await fixture.Control.GetAsync("/_sim/keys")).GetProperty("certificate_serial").GetString().ShouldBe(original);
        (await fixture.Wx.GetAsync("/v3/certificates")).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_request_log_counts_calls_by_endpoint_with_their_answers()
    {
        await fixture.Control.PostAsync("/_sim/reset");

        await fixture.NativeAsync(SimFixture.NewTradeNo());
        await fixture.QueryAsync("T-unknown-1");
        await fixture.Wx.GetAsync("/v3/certificates", new Signing { Unsigned = true });

        var requests = await fixture.Control.GetAsync("/_sim/requests");
        requests.GetProperty("counts").GetProperty("transactions.native").GetInt32().ShouldBe(1);
        requests.GetProperty("counts").GetProperty("transactions.query").GetInt32().ShouldBe(1);
        requests.GetProperty("log").EnumerateArray().Select(r => r.GetProperty("code").ValueKind == System.Text.Json.JsonValueKind.String
            ? r.GetProperty("code").GetString() : r.GetProperty("status").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture))
            .ShouldBe(["200", "ORDER_NOT_EXIST", "SIGN_ERROR"]);
    }

    [Fact]
    public async Task Settings_refuse_out_of_range_values()
    {
        var mode = await fixture.Control.TrySendAsync(HttpMethod.Put, "/_sim/settings", new { signing_mode = "rsa" });
        var factor = await fixture.Control.TrySendAsync(HttpMethod.Put, "/_sim/settings", new { notify_retry_factor = 0 });

        mode.Status.ShouldBe(HttpStatusCode.BadRequest);
        factor.Status.ShouldBe(HttpStatusCode.BadRequest);
    }
}
