using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Merchant.Api.Ops;
using Merchant.Reliability.Tests.Infrastructure;
using Npgsql;

namespace Merchant.Reliability.Tests.Hostile;

/// <summary>The inputs the fuzzer found answered with 500, each pinned down on its own.</summary>
[Collection("edges")]
public sealed class InputEdgeTests : IAsyncLifetime
{
    private Rig _rig = null!;

    public async Task InitializeAsync() => _rig = await Rig.StartAsync(databasePrefix: "inputs");

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Theory]
    [InlineData("2147483647")]
    [InlineData("50000000")]
    [InlineData("42949673")]
    public async Task The_ops_trade_list_refuses_a_page_far_past_the_end_with_a_400_problem_not_a_server_error(string page)
    {
        using var response = await _rig.Shop.Ops.GetAsync($"/api/v1/ops/trades?page={page}");

        // API.md: `page` serves the first 100 pages; past them the answer is 400 use_cursor.
        await ShouldBeValidationProblemAsync(response, "cursor", code: "use_cursor");
    }

    [Theory]
    [InlineData("+08:00")]
    [InlineData("-05:00")]
    public async Task The_ops_trade_list_filters_by_times_given_with_a_utc_offset(string offset)
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 1);
        var trade = await _rig.Shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        var from = DateTimeOffset.UtcNow.AddHours(-1).ToOffset(TimeSpan.Parse(offset.TrimStart('+'), System.Globalization.CultureInfo.InvariantCulture));

        using var response = await _rig.Shop.Ops.GetAsync($"/api/v1/ops/trades?machine_no={machine.MachineNo}&from={Uri.EscapeDataString(from.ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture))}");

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await response.Content.ReadFromJsonAsync<TradePage>(Shop.Json))!.Items.ShouldContain(t => t.TradeId == trade.TradeId);
    }

    [Theory]
    [InlineData("/api/v1/ops/jobs?status=failed%00")]
    [InlineData("/api/v1/ops/trades?machine_no=1234%00")]
    public async Task A_nul_character_in_a_query_parameter_is_refused_with_a_4xx_problem(string path)
    {
        using var response = await _rig.Shop.Ops.GetAsync(path);

        await ShouldBeValidationProblemAsync(response, path.Contains("status", StringComparison.Ordinal) ? "status" : "machine_no");
    }

    [Fact]
    public async Task A_nul_character_in_customer_ref_is_refused_with_a_4xx_problem_and_writes_nothing()
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 1);
        var before = await TradeCountAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/checkouts")
        {
            Content = JsonContent.Create(new
            {
                machine_no = machine.MachineNo,
                items = new[] { new { product_id = machine.Products[0].ProductId, quantity = 1 } },
                customer_ref = "table\u00007",
            }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));

        using var response = await _rig.Shop.Storefront.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        ((int)response.StatusCode).ShouldBeInRange(400, 499, body);
        JsonDocument.Parse(body).RootElement.GetProperty("code").GetString().ShouldBe("validation_failed");
        (await TradeCountAsync()).ShouldBe(before);
    }

    [Theory]
    [InlineData("a[b=1")]
    [InlineData("[=x")]
    public async Task A_form_encoded_body_with_a_malformed_key_on_the_notify_url_is_a_4xx_not_500(string form)
    {
        using var anonymous = _rig.Api.Client(apiKey: null);

        using var response = await anonymous.PostAsync("/api/v1/platform/notify/20261122000000000000000001.forged",
            new StringContent(form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));

        ((int)response.StatusCode).ShouldBeInRange(400, 499, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_genuine_callback_whose_body_holds_a_nul_character_is_kept_with_the_nul_replaced_not_a_500()
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 1);
        var trade = await _rig.Shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        var tokens = new Merchant.Api.PlatformNotify.NotifyTokens(Microsoft.Extensions.Options.Options.Create(
            new Merchant.Api.Hosting.MerchantOptions { NotifySecret = HostSettings.NotifySecret }));
        using var anonymous = _rig.Api.Client(apiKey: null);
        var record = (await _rig.Simulator.OrderAsync(trade.PlatformOrderId!.Value)).Records[0].RecordId;
        var body = $"{{\"method\":\"device.delivery.response\",\"order_id\":{trade.PlatformOrderId},\"record_id\":{record},\"error_msg\":\"Goods\u0000Stuck\"}}";

        using var response = await anonymous.PostAsync($"/api/v1/platform/notify/{tokens.For(trade.TradeId)}",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var stored = await StoredCallbacksAsync(trade.TradeId);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        // Stored (the inbox keeps every genuine callback), with the NUL PostgreSQL cannot hold replaced.
        stored.ShouldHaveSingleItem().ShouldContain("Goods\uFFFDStuck");
    }

    private async Task<List<string>> StoredCallbacksAsync(string tradeId)
    {
        await using var connection = new NpgsqlConnection(_rig.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT body FROM platform_callbacks WHERE trade_id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tradeId });
        var bodies = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            bodies.Add(reader.GetString(0));
        }

        return bodies;
    }

    private static async Task ShouldBeValidationProblemAsync(HttpResponseMessage response, string naming, string code = "validation_failed")
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, body);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", body);
        var problem = JsonDocument.Parse(body).RootElement;
        problem.GetProperty("code").GetString().ShouldBe(code, body);
        problem.GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain(naming, Case.Insensitive, body);
    }

    private async Task<long> TradeCountAsync()
    {
        await using var connection = new NpgsqlConnection(_rig.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM trades", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
