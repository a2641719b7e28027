using System.Text;

namespace Vending.Platform.Tests;

public class PayloadSignerTests
{
    private const string DemoKey = "kva";

    [Fact]
    public void Signs_the_update_order_vector()
    {
        var fields = new Dictionary<string, string?> { ["timestamp"] = "1714128358", ["status"] = "2", ["machine_no"] = "16327129" };

        var stringToSign = PayloadSigner.BuildStringToSign(fields, DemoKey);
        var sign = PayloadSigner.Sign(fields, DemoKey);

        stringToSign.ShouldBe("machine_no=16327129&status=2&timestamp=1714128358&key=kva");
        sign.ShouldBe("9C84FD1CE2C76849E7778ACF2C50FFF0");
    }

    [Fact]
    public void Signs_the_dispense_vector()
    {
        var fields = new Dictionary<string, string?>
        {
            ["record_id"] = "78",
            ["order_id"] = "60",
            ["method"] = "device.delivery.put",
            ["timestamp"] = "1714373688",
            ["machine_no"] = "16327129",
        };

        var stringToSign = PayloadSigner.BuildStringToSign(fields, DemoKey);
        var sign = PayloadSigner.Sign(fields, DemoKey);

        stringToSign.ShouldBe("machine_no=16327129&method=device.delivery.put&order_id=60&record_id=78&timestamp=1714373688&key=kva");
        sign.ShouldBe("2457E8CE3CB49D31EC2054365FC8AD90");
    }

    [Fact]
    public void Signs_the_products_vector()
    {
        var fields = new Dictionary<string, string?>
        {
            ["per_page"] = "10",
            ["page"] = "1",
            ["machine_no"] = "8668380625375492",
            ["category_id"] = "1",
            ["timestamp"] = "1713255411",
        };

        var stringToSign = PayloadSigner.BuildStringToSign(fields, DemoKey);
        var sign = PayloadSigner.Sign(fields, DemoKey);

        stringToSign.ShouldBe("category_id=1&machine_no=8668380625375492&page=1&per_page=10&timestamp=1713255411&key=kva");
        sign.ShouldBe("219C16BDF42D3668FF5B85A30FE97F54");
    }

    [Fact]
    public void Signs_the_pickup_code_vector_with_a_raw_space()
    {
        var fields = new Dictionary<string, string?>
        {
            ["method"] = "pickup_code.product.id",
            ["product_id"] = "1323442",
            ["expired_at"] = "2024-12-31 23:59:59",
            ["code_length"] = "7",
            ["count"] = "2",
            ["quantity"] = "1",
            ["machine_no"] = "16327129",
            ["timestamp"] = "1714185061",
        };

        var stringToSign = PayloadSigner.BuildStringToSign(fields, DemoKey);
        var sign = PayloadSigner.Sign(fields, DemoKey);

        stringToSign.ShouldBe(
            "code_length=7&count=2&expired_at=2024-12-31 23:59:59&machine_no=16327129&method=pickup_code.product.id&product_id=1323442&quantity=1&timestamp=1714185061&key=kva");
        sign.ShouldBe("6C73E1EE2B92089A61DC721E72BB3139");
    }

    [Fact]
    public void Signs_the_short_vector_with_its_own_key()
    {
        var fields = new Dictionary<string, string?> { ["b"] = "3", ["a"] = "2", ["timestamp"] = "1718180788" };

        var stringToSign = PayloadSigner.BuildStringToSign(fields, "abc");
        var sign = PayloadSigner.Sign(fields, "abc");

        stringToSign.ShouldBe("a=2&b=3&timestamp=1718180788&key=abc");
        sign.ShouldBe("8BD7FD74204B0204CBF365F20287D436");
    }

    [Theory]
    [InlineData("machine_no=16327129&status=2&timestamp=1714128358&key=kva", "9C84FD1CE2C76849E7778ACF2C50FFF0")]
    [InlineData("machine_no=16327129&method=device.delivery.put&order_id=60&record_id=78&timestamp=1714373688&key=kva", "2457E8CE3CB49D31EC2054365FC8AD90")]
    [InlineData("category_id=1&machine_no=8668380625375492&page=1&per_page=10&timestamp=1713255411&key=kva", "219C16BDF42D3668FF5B85A30FE97F54")]
    [InlineData("code_length=7&count=2&expired_at=2024-12-31 23:59:59&machine_no=16327129&method=pickup_code.product.id&product_id=1323442&quantity=1&timestamp=1714185061&key=kva", "6C73E1EE2B92089A61DC721E72BB3139")]
    [InlineData("a=2&b=3&timestamp=1718180788&key=abc", "8BD7FD74204B0204CBF365F20287D436")]
    public void Signs_every_documented_string_to_sign_as_upper_case_md5(string stringToSign, string expected)
    {
        var sign = PayloadSigner.Sign(stringToSign);

        sign.ShouldBe(expected);
    }

    [Fact]
    public void Encodes_the_documented_update_order_payload_byte_for_byte()
    {
        PayloadField[] fields =
        [
            PayloadField.Text("machine_no", "16327129"),
            PayloadField.Number("status", 2),
            PayloadField.Text("timestamp", "1714128358"),
        ];

        var payload = PayloadSigner.EncodePayload(fields, DemoKey);

        payload.ShouldBe("eyJtYWNoaW5lX25vIjoiMTYzMjcxMjkiLCJzaWduIjoiOUM4NEZEMUNFMkM3Njg0OUU3Nzc4QUNGMkM1MEZGRjAiLCJzdGF0dXMiOjIsInRpbWVzdGFtcCI6IjE3MTQxMjgzNTgifQ==");
        Encoding.UTF8.GetString(Convert.FromBase64String(payload))
            .ShouldBe("""{"machine_no":"16327129","sign":"9C84FD1CE2C76849E7778ACF2C50FFF0","status":2,"timestamp":"1714128358"}""");
    }

    [Fact]
    public void Integer_and_string_forms_of_a_value_sign_the_same()
    {
        PayloadField[] asNumber = [PayloadField.Text("machine_no", "16327129"), PayloadField.Number("status", 2), PayloadField.Text("timestamp", "1714128358")];
        PayloadField[] asText = [PayloadField.Text("machine_no", "16327129"), PayloadField.Text("status", 2), PayloadField.Text("timestamp", "1714128358")];

        var numberSign = PayloadSigner.Sign(asNumber, DemoKey);
        var textSign = PayloadSigner.Sign(asText, DemoKey);

        numberSign.ShouldBe("9C84FD1CE2C76849E7778ACF2C50FFF0");
        textSign.ShouldBe(numberSign);
    }

    [Fact]
    public void Drops_empty_null_and_NULL_values_but_keeps_zero()
    {
        var fields = new Dictionary<string, string?>
        {
            ["a"] = "0",
            ["b"] = "",
            ["c"] = null,
            ["d"] = "NULL",
            ["e"] = "null",
            ["timestamp"] = "1",
        };

        var stringToSign = PayloadSigner.BuildStringToSign(fields, DemoKey);
        var decoded = PayloadSigner.TryDecode(PayloadSigner.EncodePayload(fields, DemoKey), out var sent);

        stringToSign.ShouldBe("a=0&e=null&timestamp=1&key=kva");
        decoded.ShouldBeTrue();
        sent!.Keys.Order(StringComparer.Ordinal).ShouldBe(["a", "e", "sign", "timestamp"]);
    }

    [Fact]
    public void Sorts_keys_by_byte_order_not_culture()
    {
        var fields = new Dictionary<string, string?> { ["ab"] = "1", ["a_b"] = "2", ["B"] = "3", ["a"] = "4" };

        var stringToSign = PayloadSigner.BuildStringToSign(fields, DemoKey);

        stringToSign.ShouldBe("B=3&a=4&a_b=2&ab=1&key=kva");
    }

    [Fact]
    public void Keeps_values_raw_without_url_encoding()
    {
        var fields = new Dictionary<string, string?> { ["notify_url"] = "https://m.example/notify?t=a b&x=1", ["name"] = "可乐" };

        var stringToSign = PayloadSigner.BuildStringToSign(fields, DemoKey);

        stringToSign.ShouldBe("name=可乐&notify_url=https://m.example/notify?t=a b&x=1&key=kva");
    }

    [Fact]
    public void Ignores_a_sign_already_among_the_fields()
    {
        var fields = new Dictionary<string, string?> { ["machine_no"] = "16327129", ["status"] = "2", ["timestamp"] = "1714128358", ["sign"] = "STALE" };

        var sign = PayloadSigner.Sign(fields, DemoKey);
        PayloadSigner.TryDecode(PayloadSigner.EncodePayload(fields, DemoKey), out var sent);

        sign.ShouldBe("9C84FD1CE2C76849E7778ACF2C50FFF0");
        sent!["sign"].ShouldBe("9C84FD1CE2C76849E7778ACF2C50FFF0");
    }

    [Fact]
    public void Refuses_a_field_given_twice()
    {
        PayloadField[] fields = [PayloadField.Text("a", "1"), PayloadField.Text("a", "2")];

        Should.Throw<ArgumentException>(() => PayloadSigner.Sign(fields, DemoKey));
    }

    [Fact]
    public void Verifies_the_documented_payload()
    {
        const string payload = "eyJtYWNoaW5lX25vIjoiMTYzMjcxMjkiLCJzaWduIjoiOUM4NEZEMUNFMkM3Njg0OUU3Nzc4QUNGMkM1MEZGRjAiLCJzdGF0dXMiOjIsInRpbWVzdGFtcCI6IjE3MTQxMjgzNTgifQ==";

        var verified = PayloadSigner.TryVerify(payload, DemoKey, out var fields);

        verified.ShouldBeTrue();
        fields!["machine_no"].ShouldBe("16327129");
        fields["status"].ShouldBe("2");
        fields["timestamp"].ShouldBe("1714128358");
    }

    [Fact]
    public void Verifies_a_lower_case_sign()
    {
        var payload = Base64("""{"machine_no":"16327129","sign":"9c84fd1ce2c76849e7778acf2c50fff0","status":2,"timestamp":"1714128358"}""");

        var verified = PayloadSigner.TryVerify(payload, DemoKey, out _);

        verified.ShouldBeTrue();
    }

    [Fact]
    public void Rejects_a_payload_whose_fields_were_changed_after_signing()
    {
        var payload = Base64("""{"machine_no":"16327129","sign":"9C84FD1CE2C76849E7778ACF2C50FFF0","status":1,"timestamp":"1714128358"}""");

        var verified = PayloadSigner.TryVerify(payload, DemoKey, out var fields);

        verified.ShouldBeFalse();
        fields.ShouldBeNull();
    }

    [Fact]
    public void Rejects_a_payload_signed_with_another_key()
    {
        var payload = PayloadSigner.EncodePayload(new Dictionary<string, string?> { ["a"] = "2" }, "other");

        var verified = PayloadSigner.TryVerify(payload, DemoKey, out _);

        verified.ShouldBeFalse();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not base64 at all!")]
    [InlineData("bm90IGpzb24=")]
    [InlineData("WzEsMiwzXQ==")]
    [InlineData("eyJhIjoiMiJ9")]
    public void Rejects_garbage_and_unsigned_payloads_without_throwing(string? payload)
    {
        var verified = PayloadSigner.TryVerify(payload, DemoKey, out var fields);

        verified.ShouldBeFalse();
        fields.ShouldBeNull();
    }

    private static string Base64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
}
