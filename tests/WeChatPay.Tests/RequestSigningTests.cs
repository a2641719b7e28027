using System.Net;
using System.Security.Cryptography;
using System.Text;
using WeChatPay.Tests.Support;

namespace WeChatPay.Tests;

public class RequestSigningTests
{
    private static readonly DateTimeOffset PayBefore = DateTimeOffset.Parse("2026-11-22T10:06:16+08:00");

    [Fact]
    public async Task Signs_the_exact_bytes_it_sends_even_with_chinese_and_plus_signs_in_the_body()
    {
        var (sdk, handler) = TestSdk.AnsweringSigned("""{"code_url":"weixin://wxpay/bizpayurl?pr=x"}""");

        await sdk.Client.CreateNativePrepayAsync(new NativePrepayRequest("T20261122000001", "可口可乐 330ml + 雪碧", 300, PayBefore));

        var sent = handler.Requests.ShouldHaveSingleItem();
        sent.Text.ShouldContain("\"description\":\"可口可乐 330ml + 雪碧\"");
        sent.Text.ShouldContain("\"time_expire\":\"2026-11-22T10:06:16+08:00\"");
        SignatureCovers(sent, sent.Body).ShouldBeTrue();
    }

    [Fact]
    public async Task Signs_the_path_as_escaped_on_the_wire()
    {
        var (sdk, handler) = TestSdk.AnsweringSigned(Transactions.NotPaid);

        await sdk.Client.QueryByOutTradeNoAsync("T-2026|11*22_x");

        var sent = handler.Requests.ShouldHaveSingleItem();
        sent.Uri.PathAndQuery.ShouldBe("/v3/pay/transactions/out-trade-no/T-2026%7C11%2A22_x?mchid=1230000109");
        SignatureCovers(sent, []).ShouldBeTrue();
    }

    [Fact]
    public async Task Sends_the_authorization_scheme_accept_json_and_a_user_agent()
    {
        var (sdk, handler) = TestSdk.AnsweringSigned(Transactions.NotPaid);

        await sdk.Client.QueryByOutTradeNoAsync("T20261122000001");

        var sent = handler.Requests.ShouldHaveSingleItem();
        sent.Authorization.ShouldStartWith("WECHATPAY2-SHA256-RSA2048 mchid=\"1230000109\",nonce_str=\"");
        sent.AuthorizationPart("serial_no").ShouldBe(TestSdk.CertificateSerial);
        sent.AuthorizationPart("timestamp").ShouldBe(TestSdk.VectorTime.ToString());
        sent.Headers["Accept"].ShouldBe("application/json");
        sent.Headers["User-Agent"].ShouldStartWith("Merchant-WeChatPay/");
    }

    [Fact]
    public async Task Makes_each_nonce_32_random_alphanumerics()
    {
        var (sdk, handler) = TestSdk.AnsweringSigned(Transactions.NotPaid);

        await sdk.Client.QueryByOutTradeNoAsync("T20261122000001");
        await sdk.Client.QueryByOutTradeNoAsync("T20261122000001");

        var nonces = handler.Requests.Select(request => request.AuthorizationPart("nonce_str")).ToList();
        nonces.ShouldAllBe(nonce => nonce.Length == 32 && nonce.All(char.IsAsciiLetterOrDigit));
        nonces.Distinct().Count().ShouldBe(2);
    }

    [Fact]
    public async Task Signs_a_retry_afresh_with_a_new_timestamp_and_nonce()
    {
        var clock = ManualClock.AtVectorTime();
        var handler = StubHandler.Sequence(
            _ =>
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                return WeChatPayServer.Error(HttpStatusCode.InternalServerError, "SYSTEM_ERROR", "系统错误");
            },
            _ => WeChatPayServer.Signed(clock, """{"code_url":"weixin://wxpay/bizpayurl?pr=x"}"""));
        var sdk = TestSdk.Create(handler, clock: clock);

        await sdk.Client.CreateNativePrepayAsync(new NativePrepayRequest("T20261122000001", "Cola", 300, PayBefore));

        handler.Requests.Count.ShouldBe(2);
        handler.Requests.Select(request => request.AuthorizationPart("timestamp")).ShouldBe(
            [TestSdk.VectorTime.ToString(), (TestSdk.VectorTime + 1).ToString()]);
        handler.Requests.Select(request => request.AuthorizationPart("nonce_str")).Distinct().Count().ShouldBe(2);
        handler.Requests.ShouldAllBe(request => SignatureCovers(request, request.Body));
        handler.Requests[1].Body.ShouldBe(handler.Requests[0].Body);
    }

    private static bool SignatureCovers(CapturedRequest request, byte[] body)
    {
        var message = Encoding.UTF8.GetBytes(
            $"{request.Method.Method}\n{request.Uri.PathAndQuery}\n{request.AuthorizationPart("timestamp")}\n{request.AuthorizationPart("nonce_str")}\n");
        byte[] signed = [.. message, .. body, (byte)'\n'];
        return WeChatPayServer.MerchantPublicKey.VerifyData(signed,
            Convert.FromBase64String(request.AuthorizationPart("signature")), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }
}
