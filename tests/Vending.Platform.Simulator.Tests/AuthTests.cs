using System.Net;
using Vending.Platform.Simulator.Tests.Infrastructure;

namespace Vending.Platform.Simulator.Tests;

public sealed class AuthTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Theory]
    [InlineData(null, "demo-secret", 10008)]
    [InlineData("demo-app", null, 10008)]
    [InlineData("demo-app", "wrong-secret", 10013)]
    [InlineData("someone-else", "demo-secret", 10014)]
    public async Task Bad_credentials_answer_401_with_the_documented_code(string? appId, string? secret, int code)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{PlatformClient.Prefix}/ping");
        if (appId is not null)
        {
            request.Headers.Add("Appid", appId);
        }

        if (secret is not null)
        {
            request.Headers.Add("AppSecret", secret);
        }

        var reply = await fixture.Platform.SendAsync(request, authenticate: false);

        reply.Status.ShouldBe(HttpStatusCode.Unauthorized);
        reply.Code.ShouldBe(code);
        reply.Data.ToString().ShouldBe("{}");
    }

    [Fact]
    public async Task A_payload_with_a_wrong_sign_answers_4006()
    {
        var reply = await fixture.Platform.PostAsync(
            "/categories", new() { ["machine_no"] = "16327129" }, sign: "0123456789ABCDEF0123456789ABCDEF");

        reply.Status.ShouldBe(HttpStatusCode.OK);
        reply.Code.ShouldBe(4006);
        reply.Message.ShouldBe("payload sign invalid");
    }

    [Fact]
    public async Task A_payload_signed_with_another_key_answers_4006()
    {
        var other = new PlatformClient(fixture.Platform.Http, "not-kva");

        var reply = await other.PostAsync("/categories", new() { ["machine_no"] = "16327129" });

        reply.Code.ShouldBe(4006);
    }

    [Fact]
    public async Task A_signed_call_without_a_required_field_answers_10001()
    {
        var reply = await fixture.Platform.PostAsync("/categories", new() { ["page"] = "1" });

        reply.Code.ShouldBe(10001);
    }

    [Fact]
    public async Task A_signed_call_without_a_payload_answers_10001()
    {
        var reply = await fixture.Platform.PostJsonAsync("/categories", new { machine_no = "16327129" });

        reply.Code.ShouldBe(10001);
    }

    [Fact]
    public async Task An_old_timestamp_is_not_refused()
    {
        var reply = await fixture.Platform.PostAsync(
            "/categories", new() { ["machine_no"] = "16327129", ["timestamp"] = "1714128358" });

        reply.IsOk.ShouldBeTrue(reply.Raw);
    }
}
