using System.Net;
using System.Text;
using WeChatPay.Tests.Support;

namespace WeChatPay.Tests;

/// <summary>Every vector in ../shared/payments/vectors.json, made with the official SDKs' rules and the TEST-ONLY keys.</summary>
public class VectorTests
{
    private static string V(string group, string name) => SharedPayments.Vector(group, name);

    [Fact]
    public async Task Sends_the_native_prepay_of_the_vector_byte_for_byte_with_its_authorization()
    {
        var clock = ManualClock.AtUnixSeconds(long.Parse(V("request", "timestamp")));
        var handler = StubHandler.Answering(_ => WeChatPayServer.WithHeaders(HttpStatusCode.OK, V("response", "body"),
            V("response", "timestamp"), V("response", "nonce"), V("response", "signature"), V("response", "serial")));
        var sdk = TestSdk.Create(handler, clock: clock, nonces: new FixedNonces(V("request", "nonce")));

        var result = await sdk.Client.CreateNativePrepayAsync(new NativePrepayRequest(
            "20261122014815000000000001", "Cola 330ml x2", 1150, DateTimeOffset.Parse("2026-11-22T10:06:16+08:00")));

        var sent = handler.Requests.ShouldHaveSingleItem();
        sent.Method.ShouldBe(HttpMethod.Post);
        sent.Uri.PathAndQuery.ShouldBe(V("request", "url"));
        sent.Body.ShouldBe(Encoding.UTF8.GetBytes(V("request", "body")));
        sent.Authorization.ShouldBe(V("request", "authorization"));
        result.CodeUrl.ShouldBe("weixin://wxpay/bizpayurl?pr=p4lpSuKzz");
    }

    [Fact]
    public async Task Signs_the_query_of_the_vector_with_an_empty_body_line()
    {
        var lines = V("request_get", "message").Split('\n');
        var clock = ManualClock.AtUnixSeconds(long.Parse(lines[2]));
        var handler = StubHandler.Answering(_ => WeChatPayServer.Signed(clock, Transactions.Paid));
        var sdk = TestSdk.Create(handler, clock: clock, nonces: new FixedNonces(lines[3]));

        await sdk.Client.QueryByOutTradeNoAsync("20261122014815000000000001");

        var sent = handler.Requests.ShouldHaveSingleItem();
        sent.Uri.PathAndQuery.ShouldBe(lines[1]);
        sent.Body.ShouldBeEmpty();
        sent.AuthorizationPart("signature").ShouldBe(V("request_get", "signature"));
        sent.AuthorizationPart("nonce_str").ShouldBe(lines[3]);
        sent.AuthorizationPart("timestamp").ShouldBe(lines[2]);
    }

    [Fact]
    public void Builds_the_signed_messages_of_the_vectors()
    {
        var request = SignedMessages.RequestMessage("POST", V("request", "url"), long.Parse(V("request", "timestamp")), V("request", "nonce"),
            Encoding.UTF8.GetBytes(V("request", "body")));
        var response = SignedMessages.ResponseMessage(V("response", "timestamp"), V("response", "nonce"), Encoding.UTF8.GetBytes(V("response", "body")));
        var jsapi = SignedMessages.JsapiMessage(V("jsapi_pay_sign", "app_id"), V("jsapi_pay_sign", "time_stamp"), V("jsapi_pay_sign", "nonce_str"),
            V("jsapi_pay_sign", "package"));

        Encoding.UTF8.GetString(request).ShouldBe(V("request", "message"));
        Encoding.UTF8.GetString(response).ShouldBe(V("response", "message"));
        Encoding.UTF8.GetString(jsapi).ShouldBe(V("jsapi_pay_sign", "message"));
    }

    [Fact]
    public async Task Verifies_the_response_vector_with_the_wechatpay_public_key()
    {
        var sdk = TestSdk.Create(StubHandler.Hanging(), clock: ManualClock.AtUnixSeconds(long.Parse(V("response", "timestamp"))));
        var headers = new WeChatPaySignatureHeaders(V("response", "timestamp"), V("response", "nonce"), V("response", "signature"), V("response", "serial"));

        var verification = await sdk.Verifier.VerifyAsync(headers, Encoding.UTF8.GetBytes(V("response", "body")));

        verification.ShouldBe(WeChatPayVerification.Valid);
    }

    [Fact]
    public async Task Reads_the_notification_vector_as_the_transaction_it_carries()
    {
        var vector = SharedPayments.Vectors.GetProperty("notification");
        var headers = WeChatPaySignatureHeaders.From(name => vector.GetProperty("headers").GetProperty(name).GetString());
        var sdk = TestSdk.Create(StubHandler.Hanging(), options => options.ApiV3Key = V("notification", "apiv3_key"),
            clock: ManualClock.AtUnixSeconds(long.Parse(headers.Timestamp!)));

        var result = await sdk.Notifications.ReadAsync(headers, Encoding.UTF8.GetBytes(V("notification", "body")));

        result.Succeeded.ShouldBeTrue(result.Reason);
        var notification = result.Notification.ShouldBeOfType<WeChatPayTransactionNotification>();
        notification.Id.ShouldBe("EV-2018022511223320873");
        notification.EventType.ShouldBe("TRANSACTION.SUCCESS");
        notification.CreateTime.ShouldBe(DateTimeOffset.Parse("2026-11-22T09:49:03+08:00"));
        notification.Transaction.ShouldBe(Transactions.Read(V("notification", "decrypted")));
        notification.Transaction.ShouldBe(new WeChatPayTransaction(
            "wxd678efh567hg6787", "1230000109", "20261122014815000000000001", WeChatPayTradeState.Success,
            "4200002026112212345678901234", "NATIVE", "支付成功", DateTimeOffset.Parse("2026-11-22T09:49:02+08:00"),
            new WeChatPayPayer("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"), new WeChatPayTransactionAmount(1150, 1150, "CNY", "CNY")));
    }

    [Fact]
    public void Decrypts_the_official_sdks_aes_gcm_vector()
    {
        var decrypted = WeChatPayAead.TryDecrypt(V("aes_gcm_sdk_vector", "key"), V("aes_gcm_sdk_vector", "nonce"),
            V("aes_gcm_sdk_vector", "associated_data"), V("aes_gcm_sdk_vector", "ciphertext"), out var plaintext);

        decrypted.ShouldBeTrue();
        Encoding.UTF8.GetString(plaintext!).ShouldBe(V("aes_gcm_sdk_vector", "plaintext"));
    }

    [Fact]
    public void Signs_the_jsapi_pay_parameters_of_the_vector()
    {
        var sdk = TestSdk.Create(StubHandler.Hanging(), options => options.AppId = V("jsapi_pay_sign", "app_id"),
            clock: ManualClock.AtUnixSeconds(long.Parse(V("jsapi_pay_sign", "time_stamp"))), nonces: new FixedNonces(V("jsapi_pay_sign", "nonce_str")));

        var parameters = sdk.Client.CreateJsapiPayParameters(V("jsapi_pay_sign", "package")["prepay_id=".Length..]);

        parameters.ShouldBe(new JsapiPayParameters(V("jsapi_pay_sign", "app_id"), V("jsapi_pay_sign", "time_stamp"), V("jsapi_pay_sign", "nonce_str"),
            V("jsapi_pay_sign", "package"), "RSA", V("jsapi_pay_sign", "pay_sign")));
    }
}
