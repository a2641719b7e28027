using System.Text;
using System.Text.Json;
using Vending.Platform.Simulator.Platform;
using Vending.Platform.Simulator.Tests.Infrastructure;

namespace Vending.Platform.Simulator.Tests;

public sealed class SigningTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Theory]
    [InlineData("machine_no=16327129&status=2&timestamp=1714128358", "kva", "9C84FD1CE2C76849E7778ACF2C50FFF0")]
    [InlineData("machine_no=16327129&method=device.delivery.put&order_id=60&record_id=78&timestamp=1714373688", "kva", "2457E8CE3CB49D31EC2054365FC8AD90")]
    [InlineData("category_id=1&machine_no=8668380625375492&page=1&per_page=10&timestamp=1713255411", "kva", "219C16BDF42D3668FF5B85A30FE97F54")]
    [InlineData("code_length=7&count=2&expired_at=2024-12-31 23:59:59&machine_no=16327129&method=pickup_code.product.id&product_id=1323442&quantity=1&timestamp=1714185061", "kva", "6C73E1EE2B92089A61DC721E72BB3139")]
    [InlineData("a=2&b=3&timestamp=1718180788", "abc", "8BD7FD74204B0204CBF365F20287D436")]
    public void Simulator_signer_matches_the_contract_test_vectors(string pairs, string appKey, string expected)
    {
        var fields = pairs.Split('&').Select(p => p.Split('=', 2))
            .Reverse()
            .ToDictionary(p => p[0], p => (string?)p[1]);

        var sign = PayloadSigner.Sign(fields, appKey);

        sign.ShouldBe(expected);
        TestSigner.Sign(fields.ToDictionary(f => f.Key, f => (object?)f.Value), appKey).ShouldBe(expected);
    }

    [Fact]
    public void Empty_and_NULL_values_are_left_out_of_the_signature()
    {
        var fields = new Dictionary<string, string?>
        {
            ["machine_no"] = "16327129",
            ["status"] = "2",
            ["timestamp"] = "1714128358",
            ["note"] = "",
            ["extra"] = "NULL",
            ["gone"] = null,
            ["sign"] = "ignored",
        };

        var sign = PayloadSigner.Sign(fields, "kva");

        sign.ShouldBe("9C84FD1CE2C76849E7778ACF2C50FFF0");
    }

    [Fact]
    public async Task The_contract_example_payload_is_accepted_verbatim()
    {
        const string example = "eyJtYWNoaW5lX25vIjoiMTYzMjcxMjkiLCJzaWduIjoiOUM4NEZEMUNFMkM3Njg0OUU3Nzc4QUNGMkM1MEZGRjAiLCJzdGF0dXMiOjIsInRpbWVzdGFtcCI6IjE3MTQxMjgzNTgifQ==";
        var orderId = await fixture.CreateOrderAsync("16327129", "example", (1323442, 1));
        using var request = new HttpRequestMessage(HttpMethod.Put, $"{PlatformClient.Prefix}/orders/{orderId}")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { payload = example }), Encoding.UTF8, "application/json"),
        };

        var reply = await fixture.Platform.SendAsync(request);

        reply.IsOk.ShouldBeTrue(reply.Raw);
        (await fixture.Control.OrderAsync(orderId)).GetProperty("status").GetString().ShouldBe("REFUND");
    }

    [Fact]
    public async Task Sign_helper_of_the_control_api_produces_a_payload_the_platform_accepts()
    {
        var signed = await fixture.Control.PostAsync("/_sim/sign", new
        {
            fields = new { machine_no = "16327129", timestamp = "1714128358", status = 2 },
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{PlatformClient.Prefix}/categories")
        {
            Content = new StringContent(
                JsonSerializer.Serialize(new { payload = signed.GetProperty("payload").GetString() }),
                Encoding.UTF8,
                "application/json"),
        };

        var reply = await fixture.Platform.SendAsync(request);

        signed.GetProperty("sign").GetString().ShouldBe("9C84FD1CE2C76849E7778ACF2C50FFF0");
        reply.IsOk.ShouldBeTrue(reply.Raw);
    }
}
