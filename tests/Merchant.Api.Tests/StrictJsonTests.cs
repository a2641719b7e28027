using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Merchant.Api.Hosting;
using Merchant.Api.PlatformNotify;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Merchant.Api.Tests;

/// <summary>The public API reads JSON strictly: UTF-8 only, and nothing a client sends is dropped or guessed at (ADR 0017).</summary>
public sealed class StrictJsonTests : IAsyncLifetime
{
    private Stack _stack = null!;

    public async Task InitializeAsync() => _stack = await Stack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Theory]
    [InlineData("/api/v1/checkouts")]
    [InlineData("/api/v1/pickups")]
    [InlineData("/api/v1/sandbox/trades/20261122014815000000000001/pay")]
    public async Task An_odd_length_utf16_body_is_415_not_a_server_error(string path)
    {
        var body = Encoding.UTF8.GetBytes("{\"machine_no\":\"16327129\",\"items\":[]}x");

        using var response = await PostAsync(path, body, "application/json; charset=utf-16");

        response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType, await response.Content.ReadAsStringAsync());
        (await ProblemAsync(response)).GetProperty("code").GetString().ShouldBe("unsupported_media_type");
    }

    [Theory]
    [InlineData("application/json; charset=utf-16le")]
    [InlineData("application/json; charset=utf-32")]
    [InlineData("application/json; charset=iso-8859-1")]
    [InlineData("application/json; charset=latin1")]
    [InlineData("application/json; charset=gbk")]
    [InlineData("application/json; charset=nonsense")]
    [InlineData("application/json; charset=")]
    [InlineData("application/json; boundary=")]
    [InlineData("application/json; charset=\"utf-8")]
    public async Task A_json_body_in_any_charset_but_utf8_is_415_and_writes_nothing(string contentType)
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        var before = await TradeCountAsync();

        using var response = await PostAsync("/api/v1/checkouts", Encoding.UTF8.GetBytes(Cart(machine, "")), contentType);

        response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        var problem = await ProblemAsync(response);
        problem.GetProperty("code").GetString().ShouldBe("unsupported_media_type");
        problem.GetProperty("detail").GetString()!.ShouldContain("UTF-8");
        (await TradeCountAsync()).ShouldBe(before);
    }

    [Theory]
    [InlineData("application/json; charset=UTF-8")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json")]
    public async Task A_utf8_body_is_read_whether_or_not_it_names_its_charset(string contentType)
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);

        using var response = await PostAsync("/api/v1/checkouts", Encoding.UTF8.GetBytes(Cart(machine, "")), contentType);

        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFE })]
    [InlineData(new byte[] { 0xC0, 0xAF })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xE4, 0xBA })]
    public async Task A_body_that_is_not_valid_utf8_is_400_invalid_encoding_and_writes_nothing(byte[] junk)
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        var cart = Cart(machine, ",\"customer_ref\":\"#\"").Split('#');
        var before = await TradeCountAsync();

        using var response = await PostAsync("/api/v1/checkouts", [.. Encoding.UTF8.GetBytes(cart[0]), .. junk, .. Encoding.UTF8.GetBytes(cart[1])],
            "application/json");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ProblemAsync(response)).GetProperty("code").GetString().ShouldBe("invalid_encoding");
        (await TradeCountAsync()).ShouldBe(before);
    }

    [Theory]
    [InlineData("{\"machine_no\":\"M\",\"items\":[{\"product_id\":P,\"quantiy\":2}]}", "$.items[0].quantiy", "unknown field")]
    [InlineData("{\"machineNo\":\"M\",\"items\":[{\"product_id\":P,\"quantity\":1}]}", "$.machineNo", "unknown field")]
    [InlineData("{\"Machine_No\":\"M\",\"items\":[{\"product_id\":P,\"quantity\":1}]}", "$.Machine_No", "unknown field")]
    [InlineData("{\"machine_no\":\"M\",\"items\":[{\"product_id\":P,\"quantity\":1}],\"coupon\":{\"code\":\"FREE\"}}", "$.coupon", "unknown field")]
    [InlineData("{\"machine_no\":\"M\",\"machine_no\":\"M\",\"items\":[{\"product_id\":P,\"quantity\":1}]}", "$.machine_no", "duplicate property")]
    [InlineData("{\"machine_no\":\"M\",\"items\":[{\"product_id\":P,\"quantity\":1,\"quantity\":2}]}", "$.items[0].quantity", "duplicate property")]
    [InlineData("{\"machine_no\":\"M\",\"items\":[{\"product_id\":P,\"quantity\":\"1\"}]}", "$.items[0].quantity", "must be a number")]
    [InlineData("{\"machine_no\":\"M\",\"items\":[{\"product_id\":\"P\",\"quantity\":1}]}", "$.items[0].product_id", "must be a number")]
    [InlineData("{\"machine_no\":12345678,\"items\":[{\"product_id\":P,\"quantity\":1}]}", "$.machine_no", "must be a string")]
    [InlineData("{\"machine_no\":\"M\",\"items\":{\"product_id\":P,\"quantity\":1}}", "$.items", "must be an array")]
    [InlineData("{\"machine_no\":\"M\",\"items\":[{\"product_id\":P,\"quantity\":1.0}]}", "$.items[0].quantity", "must be a whole number")]
    [InlineData("{\"machine_no\":\"M\",\"items\":[{\"product_id\":P,\"quantity\":2147483648}]}", "$.items[0].quantity",
        "must be a whole number from -2147483648 to 2147483647")]
    [InlineData("{\"machine_no\":\"M\",\"items\":[{\"product_id\":P,\"quantity\":null}]}", "$.items[0].quantity", "must not be null")]
    [InlineData("{\"machine_no\":\"M\",\"items\":[{\"product_id\":P}]}", "$.items[0].quantity", "required")]
    [InlineData("{\"machine_no\":\"16327129\",\"items\":[],}", "$", "not valid JSON (line 1, byte 37)")]
    [InlineData("[]", "$", "must be an object")]
    public async Task A_checkout_body_the_contract_does_not_describe_is_400_naming_the_path_and_the_problem(string template, string path, string problem)
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        var body = template.Replace("\"M\"", $"\"{machine.MachineNo}\"", StringComparison.Ordinal)
            .Replace("P", machine.Products[0].ProductId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var before = await TradeCountAsync();

        using var response = await PostAsync("/api/v1/checkouts", Encoding.UTF8.GetBytes(body), "application/json");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var answer = await ProblemAsync(response);
        answer.GetProperty("code").GetString().ShouldBe("validation_failed");
        answer.GetProperty("detail").GetString().ShouldBe($"{path}: {problem}");
        answer.GetProperty("errors").GetProperty(path)[0].GetString().ShouldBe(problem);
        (await TradeCountAsync()).ShouldBe(before);
    }

    [Theory]
    [InlineData("{\"items\":[{\"product_id\":1,\"quantity\":1}]}")]
    [InlineData("{\"machine_no\":\"16327129\"}")]
    public async Task A_checkout_missing_its_machine_or_items_keeps_its_validation_answer(string body)
    {
        using var response = await PostAsync("/api/v1/checkouts", Encoding.UTF8.GetBytes(body), "application/json");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ProblemAsync(response)).GetProperty("code").GetString().ShouldBe("validation_failed");
    }

    [Theory]
    [InlineData("{\"machine_no\":\"16327129\",\"product_id\":1,\"code\":\"123456\",\"pin\":1}", "$.pin: unknown field")]
    [InlineData("{\"machine_no\":\"16327129\",\"code\":\"123456\"}", "$.product_id: required")]
    [InlineData("{\"machine_no\":\"16327129\",\"product_id\":\"1\",\"code\":\"123456\"}", "$.product_id: must be a number")]
    public async Task A_pickup_body_the_contract_does_not_describe_is_400_naming_the_path(string body, string detail)
    {
        using var response = await PostAsync("/api/v1/pickups", Encoding.UTF8.GetBytes(body), "application/json");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ProblemAsync(response)).GetProperty("detail").GetString().ShouldBe(detail);
    }

    [Theory]
    [InlineData("{\"outcome\":\"success\",\"outcome\":\"failed\"}", "$.outcome: duplicate property")]
    [InlineData("{\"outcome\":\"failed\",\"amount\":\"0.01\"}", "$.amount: unknown field")]
    [InlineData("{\"outcome\":true}", "$.outcome: must be a string")]
    public async Task A_sandbox_payment_the_contract_does_not_describe_is_refused_and_the_trade_stays_unpaid(string body, string detail)
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));

        using var response = await PostAsync($"/api/v1/sandbox/trades/{trade.TradeId}/pay", Encoding.UTF8.GetBytes(body), "application/json");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ProblemAsync(response)).GetProperty("detail").GetString().ShouldBe(detail);
        (await _stack.TradeAsync(trade.TradeId)).Payment!.Status.ShouldBe("pending");
    }

    [Fact]
    public async Task A_sandbox_payment_without_a_body_still_pays()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));

        using var response = await _stack.Api.Storefront.PostAsync($"/api/v1/sandbox/trades/{trade.TradeId}/pay", content: null);

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_platform_callback_stays_tolerant_of_unknown_fields_numbers_as_strings_and_its_declared_charset()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        var tokens = new NotifyTokens(Options.Create(new MerchantOptions { NotifySecret = MerchantHost.NotifySecret }));
        var record = (await _stack.Simulator.OrderAsync(trade.PlatformOrderId!.Value)).Records[0].RecordId;
        var body = $$"""{"method":"device.delivery.response","order_id":"{{trade.PlatformOrderId}}","record_id":"{{record}}","deliver_status":"0","deliver_status":"0","new_platform_field":{"x":1},"error_msg":"Goods are Stuck"}""";
        using var anonymous = _stack.Api.Client(apiKey: null);

        using var response = await anonymous.PostAsync($"/api/v1/platform/notify/{tokens.For(trade.TradeId)}",
            new ByteArrayContent(Encoding.UTF8.GetBytes(body)) { Headers = { ContentType = MediaTypeHeaderValue.Parse("application/json; charset=gbk") } });

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_413_payload_too_large()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);

        using var response = await PostAsync("/api/v1/checkouts",
            Encoding.UTF8.GetBytes(Cart(machine, $",\"customer_ref\":\"{new string('x', 1024 * 1024)}\"")), "application/json");

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await ProblemAsync(response)).GetProperty("code").GetString().ShouldBe("payload_too_large");
    }

    [Theory]
    [InlineData("GET", "/api/v1/trades/12345678901234567890", "text/html", 404, "not_found")]
    [InlineData("GET", "/api/v1/no/such/route", "text/html", 404, "not_found")]
    [InlineData("DELETE", "/api/v1/checkouts", "application/xml", 405, "method_not_allowed")]
    [InlineData("POST", "/api/v1/checkouts", "image/png", 400, "validation_failed")]
    [InlineData("POST", "/api/v1/pickups", "text/plain", 400, "validation_failed")]
    public async Task A_refusal_is_a_problem_with_its_code_even_when_accept_asks_for_something_else(string method, string path, string accept,
        int status, string code)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Accept.ParseAdd(accept);
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        request.Content = method == "POST" ? new StringContent(path.EndsWith("checkouts", StringComparison.Ordinal) ? "[]"
            : "{\"machine_no\":\"abc\",\"product_id\":1,\"code\":\"123456\"}", Encoding.UTF8, "application/json") : null;

        using var response = await _stack.Api.Storefront.SendAsync(request);

        ((int)response.StatusCode).ShouldBe(status);
        (await ProblemAsync(response)).GetProperty("code").GetString().ShouldBe(code);
    }

    public static TheoryData<string, int, string> BadInput => new()
    {
        { "decoder", 400, "invalid_encoding" },
        { "json", 400, "validation_failed" },
        { "form", 400, "invalid_request" },
        { "bad_request", 400, "invalid_request" },
        { "too_large", 413, "payload_too_large" },
        { "too_slow", 408, "request_timeout" },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public async Task Every_exception_the_framework_throws_on_bad_input_is_a_4xx_problem_not_a_500(string thrown, int status, string code)
    {
        var exception = thrown switch
        {
            "decoder" => new DecoderFallbackException("Unable to translate bytes [D8] at index 17 from specified code page to Unicode."),
            "json" => new JsonException("'}' is an invalid start of a value.", "$.items", 0, 12),
            "form" => (Exception)new InvalidDataException("Form value count limit 1024 exceeded."),
            "bad_request" => new BadHttpRequestException("Unexpected end of request content.", 400),
            "too_large" => new BadHttpRequestException("Request body too large.", 413),
            _ => new BadHttpRequestException("Reading the request body timed out due to data arriving too slowly.", 408),
        };
        var handler = _stack.Api.Services.GetServices<IExceptionHandler>().Single();
        await using var scope = _stack.Api.Services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Response.Body = new MemoryStream();

        var handled = await handler.TryHandleAsync(context, exception, CancellationToken.None);

        handled.ShouldBeTrue();
        context.Response.StatusCode.ShouldBe(status);
        context.Response.ContentType.ShouldBe("application/problem+json");
        context.Response.Body.Position = 0;
        (await JsonDocument.ParseAsync(context.Response.Body)).RootElement.GetProperty("code").GetString().ShouldBe(code);
    }

    private static string Cart(Vending.Platform.Simulator.Control.MachineView machine, string extra) =>
        $"{{\"machine_no\":\"{machine.MachineNo}\",\"items\":[{{\"product_id\":{machine.Products[0].ProductId},\"quantity\":1}}]{extra}}}";

    private async Task<HttpResponseMessage> PostAsync(string path, byte[] body, string contentType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        return await _stack.Api.Storefront.SendAsync(request);
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private async Task<long> TradeCountAsync()
    {
        await using var connection = new NpgsqlConnection(_stack.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM trades", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
