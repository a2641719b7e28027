using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vending.Platform.Tests.Support;

namespace Vending.Platform.Tests;

public class SecretsTests
{
    private const string AppKey = "AppKey-c0ffee-never-log-me";

    [Fact]
    public void Options_text_redacts_the_secret_and_the_key()
    {
        var options = TestClient.Options(options => options.AppKey = AppKey);

        var text = options.ToString();

        text.ShouldNotContain(TestClient.AppSecret);
        text.ShouldNotContain(AppKey);
        text.ShouldContain(TestClient.AppId);
        text.ShouldContain(TestClient.BaseUrl);
    }

    public static TheoryData<int, string> Failures => new()
    {
        { 200, Envelopes.Error(4006, "payload sign invalid") },
        { 200, """{"code":0,"message":"订单未支付"}""" },
        { 401, Envelopes.Error(10013, "app secret invalid") },
        { 503, "" },
        { 200, "not json" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task Exceptions_never_carry_credentials_payloads_or_signs(int status, string body)
    {
        var handler = StubHandler.Answering(body, (HttpStatusCode)status);
        var client = TestClient.Create(handler, options => options.AppKey = AppKey);

        var error = await Should.ThrowAsync<PlatformException>(() => client.DispenseAsync(new DispenseRequest("16327129", 60, 78)));

        var sent = handler.Requests.ShouldHaveSingleItem();
        var text = error.ToString();
        text.ShouldNotContain(TestClient.AppSecret);
        text.ShouldNotContain(AppKey);
        text.ShouldNotContain(sent.Payload);
        text.ShouldNotContain(sent.PayloadFields["sign"]!);
    }

    [Fact]
    public async Task Logs_never_carry_credentials_payloads_or_signs_even_at_trace_level()
    {
        using var logs = new CapturingLoggerProvider();
        var handler = StubHandler.Sequence(
            (HttpStatusCode.ServiceUnavailable, ""),
            (HttpStatusCode.OK, Envelopes.Ok("""{"order_id":60}""")),
            (HttpStatusCode.OK, """{"code":0,"message":"订单未支付"}"""));
        var services = new ServiceCollection()
            .AddLogging(builder => builder.AddProvider(logs).SetMinimumLevel(LogLevel.Trace))
            .AddVendingPlatform(options =>
            {
                options.BaseUrl = TestClient.BaseUrl;
                options.AppId = TestClient.AppId;
                options.AppSecret = TestClient.AppSecret;
                options.AppKey = AppKey;
                options.RetryBaseDelay = TimeSpan.Zero;
            });
        services.AddHttpClient(PlatformServiceCollectionExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => handler);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IPlatformApi>();

        await client.GetOrderAsync(new QueryOrderRequest("16327129", 60));
        await Should.ThrowAsync<PlatformException>(() => client.DispenseAsync(new DispenseRequest("16327129", 60, 78)));

        var text = logs.AllText;
        text.ShouldContain("orders.query");
        text.ShouldContain("deliveries.dispense");
        text.ShouldContain("16327129");
        text.ShouldNotContain(TestClient.AppSecret);
        text.ShouldNotContain(AppKey);
        foreach (var request in handler.Requests)
        {
            text.ShouldNotContain(request.Payload);
            text.ShouldNotContain(request.PayloadFields["sign"]!);
        }
    }
}
