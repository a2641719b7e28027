using System.Net;
using System.Text;
using Vending.Platform.Tests.Support;
using WeChatPay.Tests.Support;

namespace WeChatPay.Tests;

public class SecretsTests
{
    private static readonly string PrivateKeyPem = File.ReadAllText(SharedPayments.MerchantPrivateKeyPath);

    // A line of the key's base64 is enough to leak it in part; none may appear anywhere.
    private static readonly string[] PrivateKeyLines = [.. PrivateKeyPem.Split('\n').Where(line => line.Length > 0 && !line.StartsWith("-----", StringComparison.Ordinal))];

    [Fact]
    public void Options_text_redacts_the_apiv3_key()
    {
        var options = new WeChatPayOptions();
        TestSdk.Configure(options);

        var text = options.ToString();

        text.ShouldNotContain(TestSdk.ApiV3Key);
        text.ShouldContain("ApiV3Key = ***");
        text.ShouldContain(TestSdk.MchId);
    }

    public static TheoryData<string, Func<TimeProvider, HttpResponseMessage>> Failures => new()
    {
        { "sign error", _ => WeChatPayServer.Error(HttpStatusCode.Unauthorized, "SIGN_ERROR", "签名错误", """{"detail":{"sign_information":{"method":"POST"}}}""") },
        { "system error", _ => WeChatPayServer.Error(HttpStatusCode.InternalServerError, "SYSTEM_ERROR", "系统错误") },
        { "unsigned 2xx", _ => WeChatPayServer.Unsigned(HttpStatusCode.OK, """{"code_url":"weixin://x"}""") },
        { "2xx of the wrong shape", clock => WeChatPayServer.Signed(clock, "[]") },
        { "not json", _ => WeChatPayServer.Unsigned(HttpStatusCode.BadGateway, "<html/>") },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task Exceptions_never_carry_keys_or_signatures(string why, Func<TimeProvider, HttpResponseMessage> answer)
    {
        var clock = ManualClock.AtVectorTime();
        var handler = StubHandler.Answering(_ => answer(clock));
        var sdk = TestSdk.Create(handler, options => options.RetryAttempts = 0, clock);

        var error = await Should.ThrowAsync<WeChatPayException>(() => sdk.Client.CreateNativePrepayAsync(
            new NativePrepayRequest("20261122014815000000000001", "Cola", 300, DateTimeOffset.UnixEpoch)));

        ShouldHoldNoSecret(error.ToString(), handler.Requests, why);
    }

    [Fact]
    public async Task Logs_never_carry_keys_signatures_or_payloads_even_at_trace_level()
    {
        using var logs = new CapturingLoggerProvider();
        var clock = ManualClock.AtVectorTime();
        var handler = StubHandler.Sequence(
            _ => WeChatPayServer.Error(HttpStatusCode.ServiceUnavailable, "SYSTEM_ERROR", "系统错误"),
            _ => WeChatPayServer.Signed(clock, Transactions.Paid),
            _ => WeChatPayServer.Unsigned(HttpStatusCode.OK, Transactions.Paid),
            _ => WeChatPayServer.Error(HttpStatusCode.Unauthorized, "SIGN_ERROR", "签名错误", """{"detail":{"sign_information":{"method":"GET"}}}"""));
        var sdk = TestSdk.Create(handler, options => options.RetryAttempts = 1, clock, logs: logs);
        var body = WeChatPayServer.Notification("TRANSACTION.SUCCESS", "transaction", Transactions.Paid);
        using var signed = WeChatPayServer.Signed(clock, body);
        var headers = WeChatPaySignatureHeaders.From(signed.Headers);

        await sdk.Client.QueryByOutTradeNoAsync("20261122014815000000000001");
        await Should.ThrowAsync<WeChatPayException>(() => sdk.Client.QueryByOutTradeNoAsync("20261122014815000000000001"));
        await Should.ThrowAsync<WeChatPayException>(() => sdk.Client.QueryByOutTradeNoAsync("20261122014815000000000001"));
        var accepted = await sdk.Notifications.ReadAsync(headers, Encoding.UTF8.GetBytes(body));
        var refused = await sdk.Notifications.ReadAsync(headers, Encoding.UTF8.GetBytes(body.Replace("test", "tost")));

        (accepted.Succeeded, refused.Succeeded).ShouldBe((true, false));
        var text = logs.AllText;
        text.ShouldContain("transactions.query");
        text.ShouldContain("20261122014815000000000001");
        ShouldHoldNoSecret(text, handler.Requests, "logs");
        text.ShouldNotContain(headers.Signature!);
        text.ShouldNotContain("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
        text.ShouldNotContain(System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("resource").GetProperty("ciphertext").GetString()!);
    }

    [Fact]
    public async Task Notification_refusals_give_reasons_without_keys_or_payloads()
    {
        var clock = ManualClock.AtVectorTime();
        var sdk = TestSdk.Create(StubHandler.Hanging(), clock: clock);
        var body = WeChatPayServer.Notification("TRANSACTION.SUCCESS", "transaction", Transactions.Paid, apiV3Key: "Zz3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z");
        using var signed = WeChatPayServer.Signed(clock, body);

        var result = await sdk.Notifications.ReadAsync(WeChatPaySignatureHeaders.From(signed.Headers), Encoding.UTF8.GetBytes(body));

        result.Failure.ShouldBe(WeChatPayNotificationFailure.Undecryptable);
        result.Reason.ShouldNotContain(TestSdk.ApiV3Key);
        result.Reason.ShouldNotContain("Zz3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z");
        result.ToString().ShouldNotContain(TestSdk.ApiV3Key);
    }

    private static void ShouldHoldNoSecret(string text, IEnumerable<CapturedRequest> requests, string why)
    {
        text.ShouldNotContain(TestSdk.ApiV3Key, customMessage: why);
        foreach (var line in PrivateKeyLines)
        {
            text.ShouldNotContain(line, customMessage: why);
        }

        foreach (var request in requests)
        {
            text.ShouldNotContain(request.AuthorizationPart("signature"), customMessage: why);
            if (request.Body.Length > 0)
            {
                text.ShouldNotContain(request.Text, customMessage: why);
            }
        }
    }
}
