using System.Text;
using System.Text.Json;

namespace Vending.Platform.Tests;

public class DispenseCallbackTests
{
    [Fact]
    public void Reads_the_documented_failure_callback()
    {
        const string body = """{"method":"device.delivery.response","order_id":60,"record_id":78,"deliver_status":"0","floor_status":"2","error_msg":"Goods are Stuck"}""";

        var parsed = DispenseCallback.TryParse(Encoding.UTF8.GetBytes(body), out var callback);

        parsed.ShouldBeTrue();
        callback.ShouldNotBeNull();
        callback.ShouldBe(new DispenseCallback
        {
            Method = "device.delivery.response",
            OrderId = 60,
            RecordId = 78,
            DeliverStatus = 0,
            FloorStatus = 2,
            FailReason = "Goods are Stuck",
        });
        callback.Delivered.ShouldBeFalse();
    }

    [Fact]
    public void Reads_fail_reason_under_its_other_name()
    {
        const string body = """{"order_id":"60","record_id":"78","deliver_status":0,"fail_reason":"Over Current"}""";

        DispenseCallback.TryParse(body, out var callback).ShouldBeTrue();

        callback.FailReason.ShouldBe("Over Current");
        callback.OrderId.ShouldBe(60);
    }

    [Fact]
    public void Reads_a_success_with_numbers_as_strings_or_ints()
    {
        const string body = """{"method":"device.delivery.response","order_id":"60","record_id":78,"deliver_status":1,"floor_status":"1","extra":[1,2]}""";

        DispenseCallback.TryParse(body, out var callback).ShouldBeTrue();

        callback.Delivered.ShouldBeTrue();
        callback.FloorStatus.ShouldBe(1);
        callback.FailReason.ShouldBe("");
    }

    [Fact]
    public void Reads_an_omitted_deliver_status_as_failed()
    {
        DispenseCallback.TryParse("""{"order_id":60,"record_id":78}""", out var callback).ShouldBeTrue();

        callback.Delivered.ShouldBeFalse();
        callback.DeliverStatus.ShouldBe(0);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("""{"record_id":78}""")]
    [InlineData("""{"order_id":60""")]
    public void Returns_false_for_garbage_instead_of_throwing(string? body)
    {
        var parsed = DispenseCallback.TryParse(body, out var callback);

        parsed.ShouldBeFalse();
        callback.ShouldBeNull();
    }

    [Fact]
    public void Writes_the_callback_the_way_the_platform_sends_it()
    {
        var callback = new DispenseCallback { OrderId = 60, RecordId = 78, DeliverStatus = 1, FloorStatus = 1 };

        var json = JsonSerializer.Serialize(callback, PlatformJson.Options);

        json.ShouldBe("""{"method":"device.delivery.response","order_id":60,"record_id":78,"deliver_status":"1","floor_status":"1","fail_reason":""}""");
    }
}
