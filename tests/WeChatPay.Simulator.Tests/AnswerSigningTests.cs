using System.Net;
using WeChatPay.Simulator.Tests.Infrastructure;

namespace WeChatPay.Simulator.Tests;

public sealed class AnswerSigningTests(SimFixture fixture) : IClassFixture<SimFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    // Tests here switch the signing mode; each starts from the default.
    public async Task DisposeAsync() => await fixture.Control.PutAsync("/_sim/settings", new { signing_mode = "public_key" });

    [Fact]
    public async Task Every_success_answer_verifies_with_the_published_public_key()
    {
        var outTradeNo = SimFixture.NewTradeNo();
        var keys = await fixture.Control.GetAsync("/_sim/keys");

        var prepay = await fixture.Wx.PostAsync("/v3/pay/transactions/native", fixture.NativeOrder(outTradeNo));
        await fixture.Control.PayAsync(outTradeNo);
        var query = await fixture.QueryAsync(outTradeNo);
        var refund = await fixture.RefundAsync(outTradeNo, outTradeNo + "-1", 100);
        var refundQuery = await fixture.Wx.GetAsync($"/v3/refund/domestic/refunds/{outTradeNo}-1");
        var certificates = await fixture.Wx.GetAsync("/v3/certificates");

        foreach (var reply in new[] { prepay, query, refund, refundQuery, certificates })
        {
            reply.Status.ShouldBe(HttpStatusCode.OK, reply.Text);
            reply.Header("Wechatpay-Serial").ShouldBe(keys.GetProperty("public_key_id").GetString());
            reply.Header("Wechatpay-Serial")!.ShouldStartWith("PUB_KEY_ID_");
            fixture.Verifier.ShouldVerify(reply);
        }
    }

    [Fact]
    public async Task A_204_answer_is_signed_over_an_empty_body()
    {
        var outTradeNo = await fixture.UnpaidTradeAsync();

        var close = await fixture.CloseAsync(outTradeNo);

        close.Status.ShouldBe(HttpStatusCode.NoContent);
        close.Raw.ShouldBeEmpty();
        fixture.Verifier.ShouldVerify(close);
    }

    [Fact]
    public async Task Downloaded_certificates_decrypt_and_their_serial_signs_answers_in_certificate_mode()
    {
        await fixture.Control.PutAsync("/_sim/settings", new { signing_mode = "certificate" });

        var download = await fixture.Wx.GetAsync("/v3/certificates");

        var certificates = AnswerVerifier.Certificates(download.Json, SimFixture.ApiV3Key);
        var (serial, certificate) = certificates.Single();
        serial.ShouldMatch("^[0-9A-F]{40}$");
        certificate.Pem.ShouldStartWith("-----BEGIN CERTIFICATE-----");
        download.Header("Wechatpay-Serial").ShouldBe(serial);
        var entry = download.Json.GetProperty("data")[0];
        entry.GetProperty("encrypt_certificate").GetProperty("algorithm").GetString().ShouldBe("AEAD_AES_256_GCM");
        entry.GetProperty("effective_time").GetString()!.ShouldEndWith("+08:00");
        new AnswerVerifier(certificates.ToDictionary(c => c.Key, c => c.Value.Key)).ShouldVerify(download);
    }

    [Fact]
    public async Task A_rotated_certificate_signs_with_a_new_serial_that_the_old_key_cannot_verify()
    {
        await fixture.Control.PutAsync("/_sim/settings", new { signing_mode = "certificate" });
        var before = await fixture.Wx.GetAsync("/v3/certificates");
        var oldSerial = before.Header("Wechatpay-Serial")!;

        var rotated = await fixture.Control.PostAsync("/_sim/certificates");
        var after = await fixture.Wx.GetAsync("/v3/certificates");

        var newSerial = rotated.GetProperty("serial_no").GetString()!;
        newSerial.ShouldNotBe(oldSerial);
        after.Header("Wechatpay-Serial").ShouldBe(newSerial);
        var certificates = AnswerVerifier.Certificates(after.Json, SimFixture.ApiV3Key);
        certificates.Keys.ShouldBe([oldSerial, newSerial], ignoreOrder: true);
        new AnswerVerifier(certificates.ToDictionary(c => c.Key, c => c.Value.Key)).ShouldVerify(after);
        new AnswerVerifier(new Dictionary<string, System.Security.Cryptography.RSA> { [newSerial] = certificates[oldSerial].Key })
            .Verifies(after.Headers, after.Raw).ShouldBeFalse();
    }

    [Fact]
    public async Task Retiring_an_old_certificate_removes_it_but_the_signing_one_stays()
    {
        var first = (await fixture.Control.GetAsync("/_sim/keys")).GetProperty("certificate_serial").GetString()!;
        var second = (await fixture.Control.PostAsync("/_sim/certificates")).GetProperty("serial_no").GetString()!;

        var refused = await fixture.Control.TrySendAsync(HttpMethod.Delete, $"/_sim/certificates/{second}");
        await fixture.Control.SendAsync(HttpMethod.Delete, $"/_sim/certificates/{first}");
        var download = await fixture.Wx.GetAsync("/v3/certificates");

        refused.Status.ShouldBe(HttpStatusCode.Conflict);
        AnswerVerifier.Certificates(download.Json, SimFixture.ApiV3Key).Keys.ShouldNotContain(first);
        AnswerVerifier.Certificates(download.Json, SimFixture.ApiV3Key).Keys.ShouldContain(second);
    }

    [Fact]
    public async Task Both_mode_alternates_between_the_public_key_id_and_the_certificate_serial()
    {
        await fixture.Control.PutAsync("/_sim/settings", new { signing_mode = "both" });
        var verifier = await AnswerVerifier.FromControlAsync(fixture.Control);
        var keys = await fixture.Control.GetAsync("/_sim/keys");

        var replies = new List<WxReply>();
        for (var i = 0; i < 4; i++)
        {
            replies.Add(await fixture.Wx.GetAsync("/v3/certificates"));
        }

        replies.Select(r => r.Header("Wechatpay-Serial")).Distinct().ShouldBe(
            [keys.GetProperty("public_key_id").GetString(), keys.GetProperty("certificate_serial").GetString()], ignoreOrder: true);
        replies.ShouldAllBe(r => verifier.Verifies(r.Headers, r.Raw));
    }
}
