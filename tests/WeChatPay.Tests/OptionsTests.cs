using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WeChatPay.Tests.Support;

namespace WeChatPay.Tests;

public sealed class OptionsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("wechatpay-options-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Accepts_the_test_configuration_in_both_modes()
    {
        var publicKeyMode = Valid();
        var certificateMode = Valid(TestSdk.CertificateMode);

        var results = new[] { Validate(publicKeyMode), Validate(certificateMode) };

        results.ShouldAllBe(result => result.Succeeded);
    }

    [Fact]
    public void Names_every_missing_key()
    {
        var options = new WeChatPayOptions();

        var result = Validate(options);

        // NotifyUrl is not among them: a host may pass one with each request instead (WeChatPayOptions.NotifyUrl).
        result.Failures!.Select(Key).ShouldBe(["MchId", "AppId", "ApiV3Key", "PrivateKeyPath", "CertificateSerial"], ignoreOrder: true);
    }

    [Theory]
    [InlineData("Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4")]
    [InlineData("Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zz")]
    [InlineData("Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4é")]
    [InlineData("Ab3dEf6hIj9kLm2nOp5qRs8tUv1wX 4z")]
    public void Refuses_an_apiv3_key_that_is_not_32_ascii_characters_without_echoing_it(string key)
    {
        var options = Valid(options => options.ApiV3Key = key);

        var result = Validate(options);

        result.Failures!.Select(Key).ShouldBe(["ApiV3Key"]);
        result.FailureMessage!.ShouldNotContain(key);
    }

    public static TheoryData<string, Func<string, string>> NotPkcs8Keys => new()
    {
        { "missing file", folder => Path.Combine(folder, "absent.pem") },
        { "a folder", folder => folder },
        { "a public key", _ => SharedPayments.MerchantPublicKeyPath },
        { "PKCS#1 rather than PKCS#8", folder => Write(folder, RSA.Create(2048).ExportRSAPrivateKeyPem()) },
        { "an EC key", folder => Write(folder, ECDsa.Create().ExportPkcs8PrivateKeyPem()) },
        { "not PEM", folder => Write(folder, "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n") },
    };

    [Theory]
    [MemberData(nameof(NotPkcs8Keys))]
    public void Refuses_a_private_key_that_is_not_a_readable_pkcs8_rsa_pem(string why, Func<string, string> path)
    {
        var file = path(_folder);
        var options = Valid(options => options.PrivateKeyPath = file);

        var result = Validate(options);

        result.Failures!.Select(Key).ShouldBe(["PrivateKeyPath"], why);
        result.FailureMessage!.ShouldNotContain(file);
    }

    [Fact]
    public void Refuses_a_public_key_path_that_holds_a_private_key()
    {
        var options = Valid(options => options.PublicKeyPath = SharedPayments.WeChatPayPrivateKeyPath);

        var result = Validate(options);

        result.Failures!.Select(Key).ShouldBe(["PublicKeyPath"]);
    }

    [Theory]
    [InlineData("0112300001092026112200000000000001", "")]
    [InlineData("", "set")]
    public void Refuses_half_a_public_key_configuration(string publicKeyId, string publicKeyPath)
    {
        var options = Valid(options =>
        {
            options.PublicKeyId = publicKeyId;
            options.PublicKeyPath = publicKeyPath.Length == 0 ? "" : SharedPayments.WeChatPayPublicKeyPath;
        });

        var result = Validate(options);

        result.Failed.ShouldBeTrue();
        result.FailureMessage!.ShouldContain("PublicKey");
    }

    [Theory]
    [InlineData("CertificateSerial", "not-hex!")]
    [InlineData("BaseUrl", "/v3")]
    [InlineData("BaseUrl", "ftp://api.mch.weixin.qq.com")]
    [InlineData("NotifyUrl", "merchant.example.com/notify")]
    public void Refuses_malformed_values_naming_the_key_only(string key, string value)
    {
        var options = Valid(options => typeof(WeChatPayOptions).GetProperty(key)!.SetValue(options, value));

        var result = Validate(options);

        result.Failures!.Select(Key).ShouldBe([key]);
        result.FailureMessage!.ShouldNotContain(value);
    }

    [Fact]
    public void Refuses_timeouts_and_retries_out_of_range()
    {
        var options = Valid(options =>
        {
            options.Timeout = TimeSpan.Zero;
            options.RetryAttempts = 11;
            options.CircuitFailureRatio = 0;
        });

        var result = Validate(options);

        result.Failures!.Select(Key).ShouldBe(["Timeout", "RetryAttempts", "CircuitFailureRatio"]);
    }

    [Fact]
    public void Binds_the_payments_wechatpay_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Payments:WeChatPay:BaseUrl"] = "https://api2.mch.weixin.qq.com",
            ["Payments:WeChatPay:MchId"] = TestSdk.MchId,
            ["Payments:WeChatPay:AppId"] = TestSdk.AppId,
            ["Payments:WeChatPay:ApiV3Key"] = TestSdk.ApiV3Key,
            ["Payments:WeChatPay:PrivateKeyPath"] = SharedPayments.MerchantPrivateKeyPath,
            ["Payments:WeChatPay:CertificateSerial"] = TestSdk.CertificateSerial,
            ["Payments:WeChatPay:PublicKeyId"] = TestSdk.PublicKeyId,
            ["Payments:WeChatPay:PublicKeyPath"] = SharedPayments.WeChatPayPublicKeyPath,
            ["Payments:WeChatPay:NotifyUrl"] = TestSdk.NotifyUrl,
            ["Payments:WeChatPay:Timeout"] = "00:00:03",
            ["Payments:WeChatPay:RetryAttempts"] = "1",
        }).Build();
        using var provider = new ServiceCollection().AddLogging().AddWeChatPay(configuration.GetSection(WeChatPayOptions.SectionName)).BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<WeChatPayOptions>>().Value;

        options.BaseUrl.ShouldBe("https://api2.mch.weixin.qq.com");
        options.PublicKeyId.ShouldBe(TestSdk.PublicKeyId);
        options.Timeout.ShouldBe(TimeSpan.FromSeconds(3));
        options.RetryAttempts.ShouldBe(1);
        provider.GetRequiredService<IWeChatPayClient>().ShouldBeOfType<WeChatPayClient>();
    }

    [Fact]
    public void Refuses_to_start_with_a_malformed_key()
    {
        using var provider = new ServiceCollection().AddLogging()
            .AddWeChatPay(options => TestSdk.Configure(options, options => options.ApiV3Key = "short"))
            .BuildServiceProvider();

        var error = Should.Throw<Exception>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        var failures = error is AggregateException aggregate ? aggregate.InnerExceptions : [error];
        failures.ShouldAllBe(failure => failure is OptionsValidationException && failure.Message.Contains("Payments:WeChatPay:ApiV3Key"));
        error.ToString().ShouldNotContain("short");
    }

    [Fact]
    public void Uses_the_clock_registered_in_di_or_the_system_clock()
    {
        var clock = ManualClock.AtVectorTime();
        using var withClock = new ServiceCollection().AddSingleton<TimeProvider>(clock).AddLogging().AddWeChatPay(options => TestSdk.Configure(options)).BuildServiceProvider();
        using var without = new ServiceCollection().AddLogging().AddWeChatPay(options => TestSdk.Configure(options)).BuildServiceProvider();

        var clocks = new[] { withClock.GetRequiredService<TimeProvider>(), without.GetRequiredService<TimeProvider>() };

        clocks.ShouldBe([clock, TimeProvider.System]);
    }

    private static WeChatPayOptions Valid(Action<WeChatPayOptions>? configure = null)
    {
        var options = new WeChatPayOptions();
        TestSdk.Configure(options, configure);
        return options;
    }

    private static ValidateOptionsResult Validate(WeChatPayOptions options) => new WeChatPayOptionsValidator().Validate(null, options);

    private static string Key(string failure) => failure["Payments:WeChatPay:".Length..failure.IndexOf(' ', StringComparison.Ordinal)];

    private static string Write(string folder, string pem)
    {
        var path = Path.Combine(folder, Guid.NewGuid().ToString("N") + ".pem");
        File.WriteAllText(path, pem);
        return path;
    }
}
