using Merchant.Api.Auth;
using Merchant.Api.Demo;
using Merchant.Api.Hosting;
using Merchant.Api.Jobs;
using Merchant.Api.Payments;
using Merchant.Api.Persistence;
using Merchant.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Merchant.Api.Tests;

/// <summary>
/// Every options class is checked when the host starts, through the app's own registration (<see cref="MerchantApp.AddMerchantServices"/>):
/// a bad value stops the start with an error naming the key and never quoting the value.
/// </summary>
public sealed class OptionsValidationTests
{
    private const string Hash = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    [Fact]
    public void The_settings_the_tests_run_with_pass()
    {
        using var services = Services(Valid());

        var validate = () => services.GetRequiredService<IStartupValidator>().Validate();

        validate.ShouldNotThrow();
    }

    [Fact]
    public void The_shipped_file_with_the_development_defaults_passes()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(RequiredSettings.DevelopmentDefaults)
            .AddJsonFile(Path.Combine(ApiProcess.RepositoryRoot(), "appsettings.json"), optional: false)
            .Build();
        using var services = new ServiceCollection().AddLogging().AddMerchantServices(configuration).BuildServiceProvider();

        var validate = () => services.GetRequiredService<IStartupValidator>().Validate();

        validate.ShouldNotThrow();
    }

    [Fact]
    public void Every_options_class_of_the_api_has_a_validator()
    {
        var services = new ServiceCollection().AddMerchantServices(new ConfigurationBuilder().AddInMemoryCollection(Valid()).Build());

        var bound = services.Select(d => d.ServiceType)
            .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IConfigureOptions<>))
            .Select(t => t.GetGenericArguments()[0])
            .Where(t => t.Assembly == typeof(MerchantOptions).Assembly)
            .Distinct()
            .ToList();

        bound.Count.ShouldBeGreaterThanOrEqualTo(9);
        bound.Where(t => !services.Any(d => d.ServiceType == typeof(IValidateOptions<>).MakeGenericType(t)))
            .ShouldBeEmpty("options bound without a validator");
    }

    [Theory]
    [InlineData("ConnectionStrings:Merchant", null)]
    [InlineData("ConnectionStrings:Merchant", "Database=merchant;Password=pw-7q3x")]
    [InlineData("ConnectionStrings:Merchant", "Host=db;Passwort=pw-7q3x")]
    public void A_bad_connection_string_stops_the_start_naming_the_key(string key, string? value) =>
        Refused<ConnectionStringsOptions>(key, value);

    [Theory]
    [InlineData("Merchant:NotifySecret", null)]
    [InlineData("Merchant:NotifySecret", "short-7q3x")]
    [InlineData("Merchant:PublicBaseUrl", "api.example-7q3x:8080")]
    [InlineData("Merchant:PublicBaseUrl", "https://api.example/?instance=7q3x")]
    public void A_bad_merchant_setting_stops_the_start_naming_the_key(string key, string? value) =>
        Refused<MerchantOptions>(key, value);

    [Theory]
    [InlineData("Orders:PaymentWindow", "00:20:00")]
    [InlineData("Orders:PaymentWindow", "18:00:00")]
    [InlineData("Orders:PaymentWindow", "-00:00:07")]
    [InlineData("Orders:PlatformOrderLifetime", "7.00:00:00")]
    public void A_bad_orders_setting_stops_the_start_naming_the_key(string key, string? value) =>
        Refused<OrdersOptions>(key, value);

    [Theory]
    [InlineData("Retention:Events", "00:00:07")]
    [InlineData("Retention:Callbacks", "-1.00:00:07")]
    [InlineData("Retention:Jobs", "00:07:00")]
    [InlineData("Retention:Interval", "00:00:07")]
    [InlineData("Retention:BatchSize", "7")]
    public void A_bad_retention_setting_stops_the_start_naming_the_key(string key, string? value) =>
        Refused<Retention.RetentionOptions>(key, value);

    [Theory]
    [InlineData("Dispense:ResultTimeout", "02:30:00")]
    [InlineData("Dispense:PollInterval", "00:00:00.007")]
    [InlineData("Dispense:AttentionAfter", "00:00:02")]
    [InlineData("Dispense:SendDeadline", "-00:00:07")]
    public void A_bad_dispense_setting_stops_the_start_naming_the_key(string key, string? value) =>
        Refused<DispenseOptions>(key, value);

    [Theory]
    [InlineData("Payments:Provider", "Alipay-7q3x")]
    [InlineData("Payments:Provider", "")]
    [InlineData("Payments:Sandbox:Secret", "short-7q3x")]
    [InlineData("Payments:QueryFirstAfter", "02:00:00")]
    public void A_bad_payments_setting_stops_the_start_naming_the_key(string key, string? value) =>
        Refused<PaymentsOptions>(key, value);

    [Theory]
    [InlineData("Payments:WeChatPay:MchId", null)]
    [InlineData("Payments:WeChatPay:ApiV3Key", "not-32-characters-7q3x")]
    [InlineData("Payments:WeChatPay:PrivateKeyPath", "/nonexistent/7q3x.pem")]
    public void WeChat_pay_as_the_provider_needs_its_settings_and_names_each_missing_one(string key, string? value) =>
        Refused<global::WeChatPay.WeChatPayOptions>(key, value, also: ("Payments:Provider", "WeChatPay"));

    [Fact]
    public void WeChat_pay_settings_are_not_required_where_wechat_pay_is_not_used()
    {
        using var services = Services(Valid());

        Should.NotThrow(() => services.GetRequiredService<IStartupValidator>().Validate());
    }

    [Theory]
    [InlineData("Jobs:Concurrency", "-7")]
    [InlineData("Jobs:Lease", "00:00:00.7")]
    [InlineData("Jobs:IdlePoll", "07:00:00")]
    public void A_bad_jobs_setting_stops_the_start_naming_the_key(string key, string? value) =>
        Refused<JobsOptions>(key, value);

    [Theory]
    [InlineData("Auth:StorefrontKeys:0", null, "Auth:StorefrontKeys")]
    [InlineData("Auth:OpsKeys:1", " padded-7q3x ", "Auth:OpsKeys:1")]
    [InlineData("Auth:OpsKeys:1", "sha256:7q3x", "Auth:OpsKeys:1")]
    [InlineData("Auth:OpsKeys:1", MerchantHost.StorefrontKey, "Auth:OpsKeys:1")]
    public void A_bad_api_key_stops_the_start_naming_the_key(string key, string? value, string named) =>
        Refused<AuthOptions>(key, value, named);

    [Theory]
    [InlineData("RateLimits:PerKeyPerSecond", "0")]
    [InlineData("RateLimits:AnonymousPerSecond", "-7")]
    public void A_bad_rate_limit_stops_the_start_naming_the_key(string key, string? value) =>
        Refused<RateLimitOptions>(key, value);

    [Theory]
    [InlineData(null)]
    [InlineData(Hash)]
    public void An_enabled_demo_without_a_plain_storefront_key_stops_the_start_naming_the_key(string? value) =>
        Refused<DemoOptions>("Demo:StorefrontKey", value, also: ("Demo:Enabled", "true"));

    [Fact]
    public void A_demo_simulator_url_that_is_not_a_base_url_stops_the_start_naming_the_key() =>
        Refused<DemoOptions>("Demo:WeChatPaySimulatorUrl", "127.0.0.1:5090/?7q3x", also: ("Demo:Enabled", "true"));

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    [InlineData("Demo")]
    public void Outside_the_local_run_and_the_tests_a_demo_simulator_url_stops_the_start_naming_the_key(string environment)
    {
        var build = () => MerchantApp.Build(["--environment", environment, "--Demo:WeChatPaySimulatorUrl=http://127.0.0.1:5090"]);

        var refusal = Should.Throw<InvalidOperationException>(build);

        refusal.Message.ShouldContain($"Demo:WeChatPaySimulatorUrl is for local runs (Development, Testing) and is refused in {environment}.");
    }

    [Fact]
    public async Task The_local_run_takes_a_demo_simulator_url()
    {
        var build = () => MerchantApp.Build(["--environment", "Development", "--Demo:WeChatPaySimulatorUrl=http://127.0.0.1:5090"]);

        var app = build.ShouldNotThrow();

        await app.DisposeAsync();
    }

    [Theory]
    [InlineData("Orders:PaymentWindow", "soon")]
    [InlineData("Dispense:RefundOnTimeout", "perhaps")]
    [InlineData("Jobs:Concurrency", "many")]
    [InlineData("RateLimits:PerKeyPerSecond", "lots")]
    public void A_value_that_does_not_convert_stops_the_start_naming_the_key(string key, string value)
    {
        var settings = Valid();
        settings[key] = value;
        using var services = Services(settings);

        var refusal = Should.Throw<InvalidOperationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        refusal.Message.ShouldContain(key);
    }

    [Fact]
    public void Outside_development_a_missing_secret_or_key_stops_the_start_naming_each()
    {
        var build = () => MerchantApp.Build(["--environment", "Production"]);

        var refusal = Should.Throw<InvalidOperationException>(build);

        foreach (var key in new[]
                 {
                     "ConnectionStrings:Merchant", "Platform:BaseUrl", "Platform:AppId", "Platform:AppSecret", "Platform:AppKey",
                     "Merchant:NotifySecret", "Auth:StorefrontKeys", "Auth:OpsKeys",
                 })
        {
            refusal.Message.ShouldContain(key);
        }
    }

    private static void Refused<TOptions>(string key, string? value, string? named = null, (string Key, string Value)? also = null)
    {
        var settings = Valid();
        settings[key] = value;
        if (also is { } other)
        {
            settings[other.Key] = other.Value;
        }

        using var services = Services(settings);

        var thrown = Should.Throw<Exception>(() => services.GetRequiredService<IStartupValidator>().Validate());

        // A client whose resilience options read the same settings reports them again, inside an AggregateException.
        var refusals = thrown is AggregateException all ? all.Flatten().InnerExceptions : [thrown];
        var refusal = refusals.OfType<OptionsValidationException>().FirstOrDefault(r => r.OptionsType == typeof(TOptions))
            .ShouldNotBeNull($"no {typeof(TOptions).Name} refusal among: {thrown.Message}");
        refusal.Message.ShouldContain(named ?? key);
        if (!string.IsNullOrWhiteSpace(value))
        {
            refusal.Message.ShouldNotContain(value.Trim());
        }
    }

    private static Dictionary<string, string?> Valid() =>
        ApiTestSettings.For("Host=127.0.0.1;Database=options", "http://127.0.0.1:9", MerchantHost.StorefrontKey, MerchantHost.OpsKey,
            MerchantHost.NotifySecret, new Dictionary<string, string?> { ["Auth:OpsKeys:1"] = Hash });

    private static ServiceProvider Services(IDictionary<string, string?> settings) =>
        new ServiceCollection()
            .AddLogging()
            .AddMerchantServices(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .BuildServiceProvider();
}
