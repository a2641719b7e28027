using System.Net;
using System.Text;
using WeChatPay.Tests.Support;

namespace WeChatPay.Tests;

public class CertificateTests
{
    private const string OutTradeNo = "20261122014815000000000001";
    private const string CertificatesPath = "/v3/certificates";

    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(TestSdk.VectorTime);
    private static readonly TestCertificate A = TestCertificate.Create("3775B6A45ACD5E8F7A4A0D3A2F0B5E7C1D2E3F40", Now.AddDays(-1), Now.AddYears(1));

    // Its high bit is set, so DER stores it with a leading zero byte that WeChat Pay's serial leaves out.
    private static readonly TestCertificate B = TestCertificate.Create("C0FFEE0000000000000000000000000000000001", Now.AddDays(-1), Now.AddYears(1));
    private static readonly TestCertificate Unlisted = TestCertificate.Create("1234567890ABCDEF1234567890ABCDEF12345678", Now.AddDays(-1), Now.AddYears(1));
    private static readonly TestCertificate Expired = TestCertificate.Create("0EEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE", Now.AddYears(-2), Now.AddDays(-1));

    [Fact]
    public async Task Downloads_decrypts_and_keeps_the_platform_certificates()
    {
        var server = new CertificateServer([A]);
        var sdk = server.Sdk();

        await sdk.Client.QueryByOutTradeNoAsync(OutTradeNo);
        await sdk.Client.QueryByOutTradeNoAsync(OutTradeNo);

        server.Handler.CountTo(CertificatesPath).ShouldBe(1);
        server.Handler.Requests.First(request => request.Path == CertificatesPath).Method.ShouldBe(HttpMethod.Get);
    }

    [Fact]
    public async Task Refreshes_once_when_an_answer_names_a_serial_it_does_not_know_yet()
    {
        var server = new CertificateServer([A]);
        var sdk = server.Sdk();
        await sdk.Client.QueryByOutTradeNoAsync(OutTradeNo);
        server.Clock.Advance(TimeSpan.FromMinutes(2));
        server.Listed = [A, B];
        server.AnswerSigner = B;

        var transaction = await sdk.Client.QueryByOutTradeNoAsync(OutTradeNo);

        transaction.TradeState.ShouldBe(WeChatPayTradeState.Success);
        server.Handler.CountTo(CertificatesPath).ShouldBe(2);
    }

    [Fact]
    public async Task Refreshes_only_once_for_a_serial_no_download_knows_and_not_again_within_a_minute()
    {
        var server = new CertificateServer([A]);
        var sdk = server.Sdk();
        await sdk.Client.QueryByOutTradeNoAsync(OutTradeNo);
        server.Clock.Advance(TimeSpan.FromMinutes(2));
        server.AnswerSigner = Unlisted;

        var first = await Should.ThrowAsync<WeChatPayException>(() => sdk.Client.QueryByOutTradeNoAsync(OutTradeNo));
        var second = await Should.ThrowAsync<WeChatPayException>(() => sdk.Client.QueryByOutTradeNoAsync(OutTradeNo));

        first.Category.ShouldBe(WeChatPayErrorCategory.Unverified);
        first.OutcomeUnknown.ShouldBeTrue();
        second.Category.ShouldBe(WeChatPayErrorCategory.Unverified);
        server.Handler.CountTo(CertificatesPath).ShouldBe(2);
    }

    [Fact]
    public async Task Refreshes_every_twelve_hours()
    {
        var server = new CertificateServer([A]);
        var sdk = server.Sdk();
        await sdk.Client.QueryByOutTradeNoAsync(OutTradeNo);
        server.Clock.Advance(TimeSpan.FromHours(11));
        await sdk.Client.QueryByOutTradeNoAsync(OutTradeNo);
        server.Clock.Advance(TimeSpan.FromHours(1));

        await sdk.Client.QueryByOutTradeNoAsync(OutTradeNo);

        server.Handler.CountTo(CertificatesPath).ShouldBe(2);
    }

    [Fact]
    public async Task Keeps_what_it_knows_when_a_refresh_fails()
    {
        var server = new CertificateServer([A]);
        var sdk = server.Sdk();
        await sdk.Client.QueryByOutTradeNoAsync(OutTradeNo);
        server.Clock.Advance(TimeSpan.FromHours(13));
        server.ListUnavailable = true;

        var transaction = await sdk.Client.QueryByOutTradeNoAsync(OutTradeNo);

        transaction.TradeState.ShouldBe(WeChatPayTradeState.Success);
        server.Handler.CountTo(CertificatesPath).ShouldBeGreaterThan(1);
    }

    [Fact]
    public async Task Never_trusts_an_expired_certificate()
    {
        var server = new CertificateServer([A, Expired]) { AnswerSigner = Expired };
        var sdk = server.Sdk();

        var certificates = await sdk.Client.DownloadCertificatesAsync();
        var error = await Should.ThrowAsync<WeChatPayException>(() => sdk.Client.QueryByOutTradeNoAsync(OutTradeNo));

        certificates.Select(certificate => certificate.SerialNo).ShouldBe([A.Serial]);
        error.Category.ShouldBe(WeChatPayErrorCategory.Unverified);
    }

    [Fact]
    public async Task Refuses_a_certificate_list_sealed_with_another_apiv3_key()
    {
        var server = new CertificateServer([A]) { ListKey = "Zz3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z" };
        var sdk = server.Sdk();

        var download = await Should.ThrowAsync<WeChatPayException>(() => sdk.Client.DownloadCertificatesAsync());
        var query = await Should.ThrowAsync<WeChatPayException>(() => sdk.Client.QueryByOutTradeNoAsync(OutTradeNo));

        download.Category.ShouldBe(WeChatPayErrorCategory.Unverified);
        download.Message.ShouldContain("decrypt");
        query.Category.ShouldBe(WeChatPayErrorCategory.Unverified);
    }

    [Fact]
    public async Task Refuses_a_certificate_list_signed_by_a_certificate_it_does_not_carry()
    {
        var server = new CertificateServer([A]) { ListSigner = Unlisted };
        var sdk = server.Sdk();

        var error = await Should.ThrowAsync<WeChatPayException>(() => sdk.Client.DownloadCertificatesAsync());

        error.Category.ShouldBe(WeChatPayErrorCategory.Unverified);
        error.Message.ShouldContain(nameof(WeChatPayVerification.UnknownSerial));
    }

    [Fact]
    public async Task Names_each_certificate_by_the_serial_wechat_pay_writes()
    {
        var server = new CertificateServer([A, B]) { ListSigner = B };
        var sdk = server.Sdk();

        var certificates = await sdk.Client.DownloadCertificatesAsync();

        certificates.Select(certificate => certificate.SerialNo).ShouldBe([A.Serial, B.Serial]);
        B.Certificate.SerialNumber.ShouldStartWith("00");
    }

    [Fact]
    public async Task Shares_one_download_among_lookups_that_arrive_together()
    {
        var server = new CertificateServer([A]) { ListDelay = TimeSpan.FromMilliseconds(200) };
        var sdk = server.Sdk();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => sdk.Client.QueryByOutTradeNoAsync(OutTradeNo)));

        server.Handler.CountTo(CertificatesPath).ShouldBe(1);
    }

    [Fact]
    public async Task Accepts_both_modes_while_both_are_configured()
    {
        var server = new CertificateServer([A]);
        var sdk = server.Sdk(options => options.UsePlatformCertificates = true);
        server.AnswerSigner = null;

        await sdk.Client.QueryByOutTradeNoAsync(OutTradeNo);
        var downloadsForThePublicKey = server.Handler.CountTo(CertificatesPath);
        server.AnswerSigner = A;
        await sdk.Client.QueryByOutTradeNoAsync(OutTradeNo);

        downloadsForThePublicKey.ShouldBe(0);
        server.Handler.CountTo(CertificatesPath).ShouldBe(1);
    }

    [Fact]
    public async Task Refreshes_for_a_notification_from_a_new_certificate_then_accepts_it()
    {
        var server = new CertificateServer([A]);
        var sdk = server.Sdk();
        await sdk.Client.QueryByOutTradeNoAsync(OutTradeNo);
        server.Clock.Advance(TimeSpan.FromMinutes(2));
        server.Listed = [A, B];
        var body = WeChatPayServer.Notification("TRANSACTION.SUCCESS", "transaction", Transactions.Paid);
        using var signed = B.Sign(server.Clock, body);

        var result = await sdk.Notifications.ReadAsync(WeChatPaySignatureHeaders.From(signed.Headers), Encoding.UTF8.GetBytes(body));

        result.Succeeded.ShouldBeTrue(result.Reason);
        server.Handler.CountTo(CertificatesPath).ShouldBe(2);
    }

    /// <summary>WeChat Pay in certificate mode: <c>/v3/certificates</c> lists <see cref="Listed"/>, every other call answers a paid transaction.</summary>
    private sealed class CertificateServer
    {
        public CertificateServer(TestCertificate[] listed)
        {
            Listed = listed;
            Handler = new StubHandler(async (request, cancellationToken) =>
            {
                if (request.Path != CertificatesPath)
                {
                    return AnswerSigner is { } signer ? signer.Sign(Clock, Transactions.Paid) : WeChatPayServer.Signed(Clock, Transactions.Paid);
                }

                await Task.Delay(ListDelay, cancellationToken);
                return ListUnavailable
                    ? WeChatPayServer.Error(HttpStatusCode.InternalServerError, "SYSTEM_ERROR", "系统错误")
                    : (ListSigner ?? Listed[0]).Sign(Clock, WeChatPayServer.CertificateList(ListKey, Listed));
            });
        }

        public ManualClock Clock { get; } = ManualClock.AtVectorTime();

        public StubHandler Handler { get; }

        public TestCertificate[] Listed { get; set; }

        public TestCertificate? ListSigner { get; init; }

        public string ListKey { get; init; } = TestSdk.ApiV3Key;

        public TimeSpan ListDelay { get; init; }

        public bool ListUnavailable { get; set; }

        /// <summary>Who signs the answers; null for the WeChat Pay public key.</summary>
        public TestCertificate? AnswerSigner { get; set; } = A;

        public TestSdk Sdk(Action<WeChatPayOptions>? configure = null) =>
            TestSdk.Create(Handler, options => (configure ?? TestSdk.CertificateMode)(options), Clock);
    }
}
