using System.Net;
using System.Security.Cryptography;
using System.Text;
using WeChatPay.Tests.Support;

namespace WeChatPay.Tests;

public class ResponseVerificationTests
{
    private const string Body = """{"code_url":"weixin://wxpay/bizpayurl?pr=p4lpSuKzz"}""";

    private static readonly NativePrepayRequest Prepay = new("T20261122000001", "Cola", 300, DateTimeOffset.Parse("2026-11-22T10:06:16+08:00"));

    [Fact]
    public async Task Accepts_an_answer_signed_by_the_wechatpay_public_key()
    {
        var clock = ManualClock.AtVectorTime();
        var sdk = TestSdk.Create(StubHandler.Answering(_ => WeChatPayServer.Signed(clock, Body)), clock: clock);

        var result = await sdk.Client.CreateNativePrepayAsync(Prepay);

        result.CodeUrl.ShouldBe("weixin://wxpay/bizpayurl?pr=p4lpSuKzz");
    }

    public static TheoryData<string, Func<TimeProvider, HttpResponseMessage>> Untrustworthy => new()
    {
        { "unsigned", _ => WeChatPayServer.Unsigned(HttpStatusCode.OK, Body) },
        { "signed by another key", clock => WeChatPayServer.Signed(clock, Body, key: RSA.Create(2048)) },
        { "body altered after signing", clock => Altered(WeChatPayServer.Signed(clock, Body)) },
        { "signed five minutes and a second ago", clock => WeChatPayServer.Signed(new ManualClock(clock.GetUtcNow().AddSeconds(-301)), Body) },
        { "signed five minutes and a second ahead", clock => WeChatPayServer.Signed(new ManualClock(clock.GetUtcNow().AddSeconds(301)), Body) },
        { "unknown public key id", clock => WeChatPayServer.Signed(clock, Body, serial: "PUB_KEY_ID_0000000000000000000000000000000000") },
        { "probe", clock => WeChatPayServer.WithHeaders(HttpStatusCode.OK, Body, clock.GetUtcNow().ToUnixTimeSeconds().ToString(), "n",
            "WECHATPAY/SIGNTEST/ZmFrZQ==", TestSdk.PublicKeyId) },
    };

    [Theory]
    [MemberData(nameof(Untrustworthy))]
    public async Task Treats_an_untrustworthy_2xx_as_an_unknown_outcome_and_never_retries_it(string why, Func<TimeProvider, HttpResponseMessage> answer)
    {
        var clock = ManualClock.AtVectorTime();
        var handler = StubHandler.Answering(_ => answer(clock));
        var sdk = TestSdk.Create(handler, clock: clock);

        var error = await Should.ThrowAsync<WeChatPayException>(() => sdk.Client.CreateNativePrepayAsync(Prepay));

        error.Category.ShouldBe(WeChatPayErrorCategory.Unverified, why);
        error.OutcomeUnknown.ShouldBeTrue();
        handler.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Never_downloads_certificates_for_an_unknown_public_key_id_in_public_key_mode()
    {
        var clock = ManualClock.AtVectorTime();
        var handler = StubHandler.Answering(_ => WeChatPayServer.Signed(clock, Body, serial: "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"));
        var sdk = TestSdk.Create(handler, clock: clock);

        await Should.ThrowAsync<WeChatPayException>(() => sdk.Client.CreateNativePrepayAsync(Prepay));

        handler.CountTo("/v3/certificates").ShouldBe(0);
    }

    [Fact]
    public async Task Verifies_a_204_over_its_empty_body()
    {
        var clock = ManualClock.AtVectorTime();
        var handler = StubHandler.Sequence(
            _ => WeChatPayServer.Signed(clock, "", HttpStatusCode.NoContent),
            _ => WeChatPayServer.Unsigned(HttpStatusCode.NoContent, ""));
        var sdk = TestSdk.Create(handler, clock: clock);

        await sdk.Client.CloseAsync("T20261122000001");
        var error = await Should.ThrowAsync<WeChatPayException>(() => sdk.Client.CloseAsync("T20261122000001"));

        error.Category.ShouldBe(WeChatPayErrorCategory.Unverified);
        error.OutcomeUnknown.ShouldBeTrue();
    }

    [Theory]
    [InlineData("WECHATPAY/SIGNTEST/", WeChatPayVerification.Probe)]
    [InlineData("WECHATPAY/SIGNTEST/T2s=", WeChatPayVerification.Probe)]
    [InlineData("not base64 at all!", WeChatPayVerification.BadSignature)]
    [InlineData("T2s=", WeChatPayVerification.BadSignature)]
    [InlineData("", WeChatPayVerification.MissingHeaders)]
    public async Task Answers_a_verdict_never_an_exception_for_malformed_signatures(string signature, WeChatPayVerification expected)
    {
        var sdk = TestSdk.Create(StubHandler.Hanging());
        var headers = new WeChatPaySignatureHeaders(TestSdk.VectorTime.ToString(), "nonce", signature, TestSdk.PublicKeyId);

        var verification = await sdk.Verifier.VerifyAsync(headers, Encoding.UTF8.GetBytes(Body));

        verification.ShouldBe(expected);
        WeChatPaySignatureVerifier.IsValid(WeChatPayServer.MerchantPublicKey, "1", "n", [], signature).ShouldBeFalse();
    }

    [Theory]
    [InlineData("-1763776096")]
    [InlineData(" 1763776096")]
    [InlineData("99999999999999999999999")]
    [InlineData("1763776096.0")]
    public async Task Refuses_timestamps_that_are_not_plain_unix_seconds(string timestamp)
    {
        var sdk = TestSdk.Create(StubHandler.Hanging());
        var headers = new WeChatPaySignatureHeaders(timestamp, "nonce", "T2s=", TestSdk.PublicKeyId);

        var verification = await sdk.Verifier.VerifyAsync(headers, Encoding.UTF8.GetBytes(Body));

        verification.ShouldBe(WeChatPayVerification.StaleTimestamp);
    }

    private static HttpResponseMessage Altered(HttpResponseMessage signed)
    {
        signed.Content = new StringContent(Body.Replace("p4lpSuKzz", "attacker1"), Encoding.UTF8, "application/json");
        return signed;
    }
}
