using System.Text;
using WeChatPay.Simulator.Api;
using WeChatPay.Simulator.Crypto;
using WeChatPay.Simulator.Merchant;
using WeChatPay.Simulator.Tests.Infrastructure;

namespace WeChatPay.Simulator.Tests;

public sealed class VectorTests
{
    private static readonly string Key = SharedFiles.Vector("notification", "apiv3_key");

    [Fact]
    public void Test_signer_reproduces_the_request_vectors()
    {
        var merchant = SharedFiles.Key("merchant_private.pem");

        var post = TestCrypto.Sign(merchant, SharedFiles.Vector("request", "message"));
        var get = TestCrypto.Sign(merchant, SharedFiles.Vector("request_get", "message"));

        post.ShouldBe(SharedFiles.Vector("request", "signature"));
        get.ShouldBe(SharedFiles.Vector("request_get", "signature"));
        TestCrypto.RequestMessage("POST", "/v3/pay/transactions/native", "1763776096", "593BEC0C930BF1AFEB40B4A08C8FB242", SharedFiles.Vector("request", "body"))
            .ShouldBe(SharedFiles.Vector("request", "message"));
    }

    [Fact]
    public void Test_verifier_accepts_the_response_and_notification_vectors_and_nothing_else()
    {
        var wechatpay = SharedFiles.Key("wechatpay_public.pem");
        var headers = SharedFiles.Vectors.GetProperty("notification").GetProperty("headers");
        var notification = TestCrypto.ResponseMessage(
            headers.GetProperty("Wechatpay-Timestamp").GetString()!,
            headers.GetProperty("Wechatpay-Nonce").GetString()!,
            Encoding.UTF8.GetBytes(SharedFiles.Vector("notification", "body")));

        var response = TestCrypto.ResponseMessage(
            SharedFiles.Vector("response", "timestamp"), SharedFiles.Vector("response", "nonce"), Encoding.UTF8.GetBytes(SharedFiles.Vector("response", "body")));

        Encoding.UTF8.GetString(response).ShouldBe(SharedFiles.Vector("response", "message"));
        TestCrypto.Verify(wechatpay, response, SharedFiles.Vector("response", "signature")).ShouldBeTrue();
        TestCrypto.Verify(wechatpay, notification, headers.GetProperty("Wechatpay-Signature").GetString()!).ShouldBeTrue();
        TestCrypto.Verify(wechatpay, [.. response, (byte)' '], SharedFiles.Vector("response", "signature")).ShouldBeFalse();
        TestCrypto.Verify(wechatpay, response, "WECHATPAY/SIGNTEST/abc").ShouldBeFalse();
    }

    [Fact]
    public void Test_decryptor_and_encryptor_match_the_notification_and_sdk_vectors()
    {
        var sdk = SharedFiles.Vectors.GetProperty("aes_gcm_sdk_vector");
        var resource = System.Text.Json.JsonDocument.Parse(SharedFiles.Vector("notification", "body")).RootElement.GetProperty("resource");

        var opened = TestCrypto.Decrypt(Key, resource.GetProperty("nonce").GetString()!, "transaction", resource.GetProperty("ciphertext").GetString()!);
        var sdkOpened = TestCrypto.Decrypt(sdk.GetProperty("key").GetString()!, "uluk4a9R25RW", "associatedData", sdk.GetProperty("ciphertext").GetString()!);
        var sdkSealed = TestCrypto.Encrypt(sdk.GetProperty("key").GetString()!, "uluk4a9R25RW", "associatedData", "message");

        opened.ShouldBe(SharedFiles.Vector("notification", "decrypted"));
        sdkOpened.ShouldBe("message");
        sdkSealed.ShouldBe(sdk.GetProperty("ciphertext").GetString());
    }

    [Fact]
    public void Simulator_crypto_reproduces_every_vector()
    {
        var wechatpay = SharedFiles.Key("wechatpay_private.pem");
        var sdk = SharedFiles.Vectors.GetProperty("aes_gcm_sdk_vector");
        var responseMessage = WeChatCrypto.ResponseMessage(
            SharedFiles.Vector("response", "timestamp"), SharedFiles.Vector("response", "nonce"), Encoding.UTF8.GetBytes(SharedFiles.Vector("response", "body")));

        var signature = WeChatCrypto.Sign(wechatpay, responseMessage);
        var notification = WeChatCrypto.Encrypt(Key, "fdasflkja484", "transaction", SharedFiles.Vector("notification", "decrypted"));
        var sdkOpened = WeChatCrypto.Decrypt(sdk.GetProperty("key").GetString()!, sdk.GetProperty("nonce").GetString()!, "associatedData", sdk.GetProperty("ciphertext").GetString()!);

        signature.ShouldBe(SharedFiles.Vector("response", "signature"));
        notification.ShouldBe(System.Text.Json.JsonDocument.Parse(SharedFiles.Vector("notification", "body")).RootElement
            .GetProperty("resource").GetProperty("ciphertext").GetString());
        sdkOpened.ShouldBe(sdk.GetProperty("plaintext").GetString());
        WeChatCrypto.Verify(wechatpay, responseMessage, WeChatCrypto.ProbePrefix + "Zm9v").ShouldBeFalse();
    }

    [Fact]
    public void Simulator_accepts_the_vector_requests_and_refuses_them_changed()
    {
        var merchant = MerchantAccount.Create("1230000109", "wxd678efh567hg6787", Key, WxClient.Serial, SharedFiles.Pem("merchant_public.pem"));
        var body = Encoding.UTF8.GetBytes(SharedFiles.Vector("request", "body"));
        var lines = SharedFiles.Vector("request_get", "message").Split('\n');
        var getAuthorization = $"{RequestAuth.Scheme} mchid=\"1230000109\",nonce_str=\"{lines[3]}\",signature=\"{SharedFiles.Vector("request_get", "signature")}\","
            + $"timestamp=\"{lines[2]}\",serial_no=\"{WxClient.Serial}\"";
        var at = DateTimeOffset.FromUnixTimeSeconds(1763776096);

        var post = RequestAuth.Check(SharedFiles.Vector("request", "authorization"), "POST", "/v3/pay/transactions/native", body, merchant, at);
        var get = RequestAuth.Check(getAuthorization, "GET", lines[1], [], merchant, at);
        var tampered = RequestAuth.Check(SharedFiles.Vector("request", "authorization"), "POST", "/v3/pay/transactions/native", [.. body, (byte)' '], merchant, at);
        var late = RequestAuth.Check(SharedFiles.Vector("request", "authorization"), "POST", "/v3/pay/transactions/native", body, merchant, at.AddMinutes(6));

        post.ShouldBeNull();
        get.ShouldBeNull();
        tampered!.Code.ShouldBe("SIGN_ERROR");
        late!.Code.ShouldBe("SIGN_ERROR");
    }
}

public sealed class VectorKeyTests(VectorKeyFixture fixture) : IClassFixture<VectorKeyFixture>
{
    [Fact]
    public async Task A_simulator_loaded_with_the_vector_key_publishes_it_and_signs_with_its_id()
    {
        var keys = await fixture.Control.GetAsync("/_sim/keys");

        var reply = await fixture.Wx.PostAsync("/v3/pay/transactions/native", fixture.NativeOrder(SimFixture.NewTradeNo()));

        keys.GetProperty("public_key_pem").GetString()!.Trim().ShouldBe(SharedFiles.Pem("wechatpay_public.pem").Trim());
        keys.GetProperty("public_key_id").GetString().ShouldBe(SharedFiles.Vector("response", "serial"));
        reply.Header("Wechatpay-Serial").ShouldBe(SharedFiles.Vector("response", "serial"));
        new AnswerVerifier(new Dictionary<string, System.Security.Cryptography.RSA>
        {
            [SharedFiles.Vector("response", "serial")] = SharedFiles.Key("wechatpay_public.pem"),
        }).ShouldVerify(reply);
    }
}
