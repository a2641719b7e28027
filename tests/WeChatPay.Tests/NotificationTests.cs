using System.Security.Cryptography;
using System.Text;
using WeChatPay.Tests.Support;

namespace WeChatPay.Tests;

public class NotificationTests
{
    private const string RefundPlaintext = """
        {"mchid":"1230000109","out_trade_no":"20261122014815000000000001","transaction_id":"4200002026112212345678901234",
         "out_refund_no":"20261122014815000000000001-1","refund_id":"50000000382019052709732678859","refund_status":"{0}",
         "success_time":"2026-11-22T10:01:00+08:00","user_received_account":"招商银行信用卡0403",
         "amount":{"total":1150,"refund":550,"payer_total":1150,"payer_refund":550}}
        """;

    private static readonly string VectorBody = SharedPayments.Vector("notification", "body");

    [Fact]
    public async Task Refuses_a_body_altered_after_signing()
    {
        var (sdk, headers) = VectorSdk();

        var result = await sdk.Notifications.ReadAsync(headers, Encoding.UTF8.GetBytes(VectorBody.Replace("EV-2018022511223320873", "EV-2018022511223320874")));

        result.Succeeded.ShouldBeFalse();
        result.Failure.ShouldBe(WeChatPayNotificationFailure.BadSignature);
    }

    [Fact]
    public async Task Refuses_a_signature_verified_over_re_serialized_json_rather_than_the_raw_bytes()
    {
        var (sdk, headers) = VectorSdk();
        var reserialized = System.Text.Json.JsonSerializer.Serialize(System.Text.Json.JsonDocument.Parse(VectorBody).RootElement);

        var result = await sdk.Notifications.ReadAsync(headers, Encoding.UTF8.GetBytes(reserialized));

        reserialized.ShouldNotBe(VectorBody);
        result.Failure.ShouldBe(WeChatPayNotificationFailure.BadSignature);
    }

    [Fact]
    public async Task Refuses_a_resource_that_does_not_decrypt_with_our_apiv3_key()
    {
        var (sdk, headers) = VectorSdk(options => options.ApiV3Key = "Zz3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z");

        var result = await sdk.Notifications.ReadAsync(headers, Encoding.UTF8.GetBytes(VectorBody));

        result.Failure.ShouldBe(WeChatPayNotificationFailure.Undecryptable);
        result.Notification.ShouldBeNull();
    }

    [Fact]
    public async Task Refuses_a_notification_signed_by_a_key_it_does_not_know()
    {
        var clock = ManualClock.AtVectorTime();
        var sdk = TestSdk.Create(StubHandler.Hanging(), clock: clock);
        var body = WeChatPayServer.Notification("TRANSACTION.SUCCESS", "transaction", Transactions.Paid);

        var result = await sdk.Notifications.ReadAsync(Headers(clock, body, key: RSA.Create(2048)), Encoding.UTF8.GetBytes(body));

        result.Failure.ShouldBe(WeChatPayNotificationFailure.BadSignature);
    }

    [Fact]
    public async Task Refuses_a_notification_whose_serial_it_does_not_know()
    {
        var clock = ManualClock.AtVectorTime();
        var sdk = TestSdk.Create(StubHandler.Hanging(), clock: clock);
        var body = WeChatPayServer.Notification("TRANSACTION.SUCCESS", "transaction", Transactions.Paid);

        var result = await sdk.Notifications.ReadAsync(Headers(clock, body, serial: "PUB_KEY_ID_9999"), Encoding.UTF8.GetBytes(body));

        result.Failure.ShouldBe(WeChatPayNotificationFailure.UnknownSerial);
    }

    [Fact]
    public async Task Refuses_a_notification_more_than_five_minutes_old()
    {
        var (sdk, headers) = VectorSdk(clock: ManualClock.AtUnixSeconds(1763776143 + 301));

        var result = await sdk.Notifications.ReadAsync(headers, Encoding.UTF8.GetBytes(VectorBody));

        result.Failure.ShouldBe(WeChatPayNotificationFailure.StaleTimestamp);
    }

    [Fact]
    public async Task Accepts_a_notification_within_five_minutes()
    {
        var (sdk, headers) = VectorSdk(clock: ManualClock.AtUnixSeconds(1763776143 + 299));

        var result = await sdk.Notifications.ReadAsync(headers, Encoding.UTF8.GetBytes(VectorBody));

        result.Succeeded.ShouldBeTrue(result.Reason);
    }

    [Fact]
    public async Task Refuses_a_probe_without_throwing()
    {
        var (sdk, headers) = VectorSdk();

        var result = await sdk.Notifications.ReadAsync(headers with { Signature = "WECHATPAY/SIGNTEST/" + headers.Signature }, Encoding.UTF8.GetBytes(VectorBody));

        result.Failure.ShouldBe(WeChatPayNotificationFailure.Probe);
    }

    [Fact]
    public async Task Refuses_a_notification_without_its_signature_headers()
    {
        var (sdk, headers) = VectorSdk();

        var result = await sdk.Notifications.ReadAsync(headers with { Nonce = null }, Encoding.UTF8.GetBytes(VectorBody));

        result.Failure.ShouldBe(WeChatPayNotificationFailure.MissingHeaders);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("not json")]
    [InlineData("""{"id":"EV-1","event_type":"TRANSACTION.SUCCESS","resource":{"algorithm":"AEAD_AES_256_GCM","ciphertext":"%%%","nonce":"x"}}""")]
    [InlineData("""{"id":"EV-1","event_type":"TRANSACTION.SUCCESS","resource":{"algorithm":"RSA","ciphertext":"AAAA","nonce":"0123456789ab"}}""")]
    public async Task Refuses_signed_garbage_without_throwing(string body)
    {
        var clock = ManualClock.AtVectorTime();
        var sdk = TestSdk.Create(StubHandler.Hanging(), clock: clock);

        var result = await sdk.Notifications.ReadAsync(Headers(clock, body), Encoding.UTF8.GetBytes(body));

        result.Succeeded.ShouldBeFalse();
        result.Failure.ShouldBeOneOf(WeChatPayNotificationFailure.Malformed, WeChatPayNotificationFailure.Undecryptable);
        result.Reason.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task Refuses_a_transaction_plaintext_without_the_fields_a_payment_needs()
    {
        var clock = ManualClock.AtVectorTime();
        var sdk = TestSdk.Create(StubHandler.Hanging(), clock: clock);
        var body = WeChatPayServer.Notification("TRANSACTION.SUCCESS", "transaction", """{"mchid":"1230000109","trade_state":"SUCCESS"}""");

        var result = await sdk.Notifications.ReadAsync(Headers(clock, body), Encoding.UTF8.GetBytes(body));

        result.Failure.ShouldBe(WeChatPayNotificationFailure.Malformed);
    }

    [Theory]
    [InlineData("REFUND.SUCCESS", "SUCCESS", WeChatPayRefundStatus.Success)]
    [InlineData("REFUND.ABNORMAL", "ABNORMAL", WeChatPayRefundStatus.Abnormal)]
    [InlineData("REFUND.CLOSED", "CLOSED", WeChatPayRefundStatus.Closed)]
    public async Task Reads_refund_events_as_typed_refunds(string eventType, string status, WeChatPayRefundStatus expected)
    {
        var clock = ManualClock.AtVectorTime();
        var sdk = TestSdk.Create(StubHandler.Hanging(), clock: clock);
        var body = WeChatPayServer.Notification(eventType, "refund", RefundPlaintext.Replace("{0}", status));

        var result = await sdk.Notifications.ReadAsync(Headers(clock, body), Encoding.UTF8.GetBytes(body));

        result.TryGet(out var notification, out var reason).ShouldBeTrue(reason);
        var refund = notification.ShouldBeOfType<WeChatPayRefundNotification>();
        refund.EventType.ShouldBe(eventType);
        refund.Refund.ShouldBe(new WeChatPayRefundNotice("1230000109", "20261122014815000000000001", "20261122014815000000000001-1",
            "50000000382019052709732678859", expected, "4200002026112212345678901234", DateTimeOffset.Parse("2026-11-22T10:01:00+08:00"),
            new WeChatPayRefundAmount(1150, 550, 1150, 550)));
    }

    [Fact]
    public async Task Reads_an_event_it_has_no_type_for_as_a_plain_verified_notification()
    {
        var clock = ManualClock.AtVectorTime();
        var sdk = TestSdk.Create(StubHandler.Hanging(), clock: clock);
        var body = WeChatPayServer.Notification("TRANSACTION.CLOSED", "transaction", "{}");

        var result = await sdk.Notifications.ReadAsync(Headers(clock, body), Encoding.UTF8.GetBytes(body));

        result.Succeeded.ShouldBeTrue(result.Reason);
        result.Notification.ShouldBeOfType<WeChatPayNotification>().EventType.ShouldBe("TRANSACTION.CLOSED");
    }

    private static (TestSdk Sdk, WeChatPaySignatureHeaders Headers) VectorSdk(Action<WeChatPayOptions>? configure = null, ManualClock? clock = null)
    {
        var headers = SharedPayments.Vectors.GetProperty("notification").GetProperty("headers");
        var signature = WeChatPaySignatureHeaders.From(name => headers.GetProperty(name).GetString());
        return (TestSdk.Create(StubHandler.Hanging(), configure, clock ?? ManualClock.AtUnixSeconds(long.Parse(signature.Timestamp!))), signature);
    }

    private static WeChatPaySignatureHeaders Headers(TimeProvider clock, string body, RSA? key = null, string serial = TestSdk.PublicKeyId)
    {
        using var signed = WeChatPayServer.Signed(clock, body, serial: serial, key: key);
        return WeChatPaySignatureHeaders.From(signed.Headers);
    }
}
