using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Vending.Platform.Tests;

public class DependencyInjectionTests
{
    [Fact]
    public void Registers_the_typed_client_and_the_system_clock()
    {
        var services = new ServiceCollection().AddLogging().AddVendingPlatform(options =>
        {
            options.BaseUrl = "http://platform.test";
            options.AppId = "id";
            options.AppSecret = "secret";
            options.AppKey = "key";
        });

        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IPlatformApi>().ShouldBeOfType<PlatformApiClient>();
        provider.GetRequiredService<TimeProvider>().ShouldBeSameAs(TimeProvider.System);
    }

    [Fact]
    public void Keeps_a_clock_registered_before_it()
    {
        var clock = new Support.FixedClock(DateTimeOffset.UnixEpoch);
        var services = new ServiceCollection().AddSingleton<TimeProvider>(clock).AddLogging()
            .AddVendingPlatform(options => options.BaseUrl = "http://platform.test");

        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<TimeProvider>().ShouldBeSameAs(clock);
    }

    [Fact]
    public void Binds_options_from_a_configuration_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Platform:BaseUrl"] = "http://platform.test",
            ["Platform:AppId"] = "id",
            ["Platform:AppSecret"] = "secret",
            ["Platform:AppKey"] = "key",
            ["Platform:Timeout"] = "00:00:05",
            ["Platform:RetryAttempts"] = "4",
            ["Platform:RetryBaseDelay"] = "00:00:00.100",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddVendingPlatform(configuration.GetSection(PlatformOptions.SectionName));

        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<PlatformOptions>>().Value;

        options.AppKey.ShouldBe("key");
        options.Timeout.ShouldBe(TimeSpan.FromSeconds(5));
        options.RetryAttempts.ShouldBe(4);
        options.RetryBaseDelay.ShouldBe(TimeSpan.FromMilliseconds(100));
        provider.GetRequiredService<IPlatformApi>().ShouldNotBeNull();
    }

    [Fact]
    public void Refuses_options_without_credentials_and_names_every_gap()
    {
        var services = new ServiceCollection().AddLogging().AddVendingPlatform(options => options.BaseUrl = "not a url");

        using var provider = services.BuildServiceProvider();

        var error = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<IPlatformApi>());
        error.Failures.Count().ShouldBe(4);
        error.Message.ShouldContain("AppSecret");
    }
}
