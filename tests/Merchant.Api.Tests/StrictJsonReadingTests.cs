using System.Text;
using System.Text.Json;
using Merchant.Api.Hosting;

namespace Merchant.Api.Tests;

/// <summary>The strict reader's rules on shapes the endpoints do not have yet: nested optional objects, times (ADR 0017).</summary>
public sealed class StrictJsonReadingTests
{
    public sealed record Order(string? MachineNo, IReadOnlyList<Line>? Lines = null, Choice? Payment = null, DateTimeOffset? ExpiresAt = null);

    public sealed record Line(long ProductId, int Quantity = 1);

    public sealed record Choice(string? Method, string? Openid);

    [Theory]
    [InlineData("{\"machine_no\":\"1\",\"payment\":{\"method\":\"native\",\"methd\":\"jsapi\"}}", "$.payment.methd", "unknown field")]
    [InlineData("{\"machine_no\":\"1\",\"payment\":{\"method\":\"native\",\"method\":\"jsapi\"}}", "$.payment.method", "duplicate property")]
    [InlineData("{\"machine_no\":\"1\",\"payment\":{\"method\":42}}", "$.payment.method", "must be a string")]
    [InlineData("{\"machine_no\":\"1\",\"payment\":\"native\"}", "$.payment", "must be an object")]
    [InlineData("{\"machine_no\":\"1\",\"lines\":[{\"product_id\":1},{\"quantity\":2}]}", "$.lines[1].product_id", "required")]
    [InlineData("{\"machine_no\":\"1\",\"expires_at\":\"next tuesday\"}", "$.expires_at", "must be a date and time (ISO 8601, e.g. 2026-11-21T22:39:05Z)")]
    [InlineData("{\"machine_no\":\"1\",\"expires_at\":1700000000}", "$.expires_at", "must be a date and time (ISO 8601, e.g. 2026-11-21T22:39:05Z)")]
    [InlineData("{\"machine_no\":\"1\",\"lines\":[{\"product_id\":1e309}]}", "$.lines[0].product_id", "must be a whole number")]
    [InlineData("{\"machine_no\":\"1\",\"lines\":[{\"product_id\":9223372036854775808}]}", "$.lines[0].product_id",
        "must be a whole number from -9223372036854775808 to 9223372036854775807")]
    [InlineData("{\"machine_no\":\"1\",\"a.b\":1}", "$['a.b']", "unknown field")]
    [InlineData("{\"machine_no\":\"1\",\"payment\":{\"method\":\"native\"},\"x\":", "$.x", "unknown field")]
    public void A_nested_or_timed_member_is_refused_with_its_path_and_problem(string json, string path, string problem)
    {
        var bytes = Encoding.UTF8.GetBytes(json);

        var refused = Should.Throw<JsonException>(() => JsonSerializer.Deserialize<Order>(bytes, StrictJson.Options));

        StrictJson.Describe(refused, typeof(Order), bytes).ShouldBe([(path, problem)]);
    }

    [Fact]
    public void Optional_members_may_be_left_out_and_a_nested_object_may_be_null()
    {
        var order = JsonSerializer.Deserialize<Order>("{\"machine_no\":\"1\",\"payment\":null,\"lines\":[{\"product_id\":7}]}", StrictJson.Options)!;

        order.Payment.ShouldBeNull();
        order.Lines.ShouldBe([new Line(7)]);
        order.ExpiresAt.ShouldBeNull();
    }

    [Fact]
    public void A_time_with_an_offset_is_read_as_that_instant()
    {
        var order = JsonSerializer.Deserialize<Order>("{\"machine_no\":\"1\",\"expires_at\":\"2026-11-22T06:39:05+08:00\"}", StrictJson.Options)!;

        order.ExpiresAt.ShouldBe(new DateTimeOffset(2026, 11, 21, 22, 39, 5, TimeSpan.Zero));
    }
}
