using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Merchant.Reliability.Tests.Infrastructure;
using Npgsql;

namespace Merchant.Reliability.Tests.Hostile;

/// <summary>Auth scopes, the request size limit, security headers and the API docs outside Development (hosts run as "Testing").</summary>
[Collection("edges")]
public sealed class EdgeTests : IAsyncLifetime
{
    private Rig _rig = null!;

    public async Task InitializeAsync() => _rig = await Rig.StartAsync(databasePrefix: "edges");

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Theory]
    [InlineData("GET", "/api/v1/machines")]
    [InlineData("GET", "/api/v1/trades/20261122014815000000000001")]
    [InlineData("POST", "/api/v1/checkouts")]
    [InlineData("POST", "/api/v1/pickups")]
    [InlineData("POST", "/api/v1/trades/20261122014815000000000001/cancel")]
    [InlineData("POST", "/api/v1/sandbox/trades/20261122014815000000000001/pay")]
    [InlineData("GET", "/api/v1/ops/summary")]
    [InlineData("GET", "/api/v1/ops/trades")]
    [InlineData("POST", "/api/v1/ops/trades/20261122014815000000000001/reconcile")]
    public async Task Without_a_key_every_storefront_and_ops_endpoint_is_401_problem(string method, string path)
    {
        using var client = _rig.Api.Client(apiKey: null);

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { }) });

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await CodeAsync(response)).ShouldBe("unauthorized");
    }

    [Theory]
    [InlineData("GET", "/api/v1/ops/summary")]
    [InlineData("GET", "/api/v1/ops/trades")]
    [InlineData("GET", "/api/v1/ops/jobs")]
    [InlineData("GET", "/api/v1/ops/trades/20261122014815000000000001")]
    [InlineData("POST", "/api/v1/ops/trades/20261122014815000000000001/reconcile")]
    [InlineData("POST", "/api/v1/ops/trades/20261122014815000000000001/lines/1/refund")]
    [InlineData("POST", "/api/v1/ops/jobs/1/retry")]
    public async Task A_storefront_key_on_ops_endpoints_is_403_problem(string method, string path)
    {
        using var response = await _rig.Shop.Storefront.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await CodeAsync(response)).ShouldBe("forbidden");
    }

    [Fact]
    public async Task A_wrong_key_is_401_and_an_ops_key_may_use_storefront_endpoints()
    {
        using var wrong = _rig.Api.Client("not-a-key");

        using var refused = await wrong.GetAsync("/api/v1/machines");
        using var ops = await _rig.Shop.Ops.GetAsync("/api/v1/machines");

        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        ops.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_body_over_one_megabyte_is_413_problem_and_writes_nothing()
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 1);
        var before = await TradeCountAsync();
        var body = $"{{\"machine_no\":\"{machine.MachineNo}\",\"items\":[{{\"product_id\":{machine.Products[0].ProductId},\"quantity\":1}}],\"customer_ref\":\"{new string('x', 1024 * 1024 + 10)}\"}}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/checkouts") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));

        using var response = await _rig.Shop.Storefront.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await CodeAsync(response)).ShouldBe("payload_too_large");
        (await TradeCountAsync()).ShouldBe(before);
    }

    [Theory]
    [InlineData("/api/v1/machines", true)]
    [InlineData("/api/v1/trades/1", true)]
    [InlineData("/health/live", false)]
    [InlineData("/no/such/route", false)]
    public async Task Every_answer_carries_the_security_headers(string path, bool withKey)
    {
        using var client = _rig.Api.Client(withKey ? HostSettings.StorefrontKey : null);

        using var response = await client.GetAsync(path);

        response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
        response.Headers.GetValues("X-Frame-Options").ShouldBe(["DENY"]);
        response.Headers.GetValues("Content-Security-Policy").Single().ShouldContain("frame-ancestors 'none'");
    }

    [Theory]
    [InlineData("/openapi/v1.json")]
    [InlineData("/swagger/index.html")]
    public async Task Outside_development_the_api_docs_need_the_ops_key(string path)
    {
        using var anonymous = _rig.Api.Client(apiKey: null);
        using var basic = _rig.Api.Client(apiKey: null);
        basic.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"anyone:{HostSettings.OpsKey}")));
        using var basicStorefront = _rig.Api.Client(apiKey: null);
        basicStorefront.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"anyone:{HostSettings.StorefrontKey}")));

        using var none = await anonymous.GetAsync(path);
        using var storefront = await _rig.Shop.Storefront.GetAsync(path);
        using var withOpsKey = await _rig.Shop.Ops.GetAsync(path);
        using var withBasic = await basic.GetAsync(path);
        using var withBasicStorefront = await basicStorefront.GetAsync(path);

        none.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        none.Headers.WwwAuthenticate.ToString().ShouldStartWith("Basic");
        (await CodeAsync(none)).ShouldBe("unauthorized");
        storefront.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        withOpsKey.StatusCode.ShouldBe(HttpStatusCode.OK);
        withBasic.StatusCode.ShouldBe(HttpStatusCode.OK);
        withBasicStorefront.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Two_different_idempotency_keys_in_one_request_are_refused_rather_than_one_picked()
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 1);
        var before = await TradeCountAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/checkouts")
        {
            Content = JsonContent.Create(new { machine_no = machine.MachineNo, items = new[] { new { product_id = machine.Products[0].ProductId, quantity = 1 } } }),
        };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", ["key-one", "key-two"]);

        using var response = await _rig.Shop.Storefront.SendAsync(request);

        ((int)response.StatusCode).ShouldBe(400, await response.Content.ReadAsStringAsync());
        (await CodeAsync(response)).ShouldBe("idempotency_key_invalid");
        (await TradeCountAsync()).ShouldBe(before);
    }

    private static async Task<string?> CodeAsync(HttpResponseMessage response)
    {
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("code").GetString();
    }

    private async Task<long> TradeCountAsync()
    {
        await using var connection = new NpgsqlConnection(_rig.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM trades", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

/// <summary>Rate limits per API key: a host limited to 5 requests a second per key answers 429 problem with Retry-After.</summary>
[Collection("edges")]
public sealed class RateLimitTests : IAsyncLifetime
{
    private Rig _rig = null!;

    public async Task InitializeAsync() => _rig = await Rig.StartAsync(new Dictionary<string, string?>
    {
        ["RateLimits:PerKeyPerSecond"] = "5",
    }, databasePrefix: "ratelimit");

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task A_burst_over_the_per_key_limit_is_429_with_retry_after_and_other_keys_are_unaffected()
    {
        var answers = new List<HttpResponseMessage>();

        // Bounded: a slow machine refills the bucket between requests, so keep asking until one is limited (at most 200).
        while (answers.Count < 200 && answers.All(a => a.StatusCode != HttpStatusCode.TooManyRequests))
        {
            answers.Add(await _rig.Shop.Storefront.GetAsync("/api/v1/trades/1"));
        }

        using var otherKey = await _rig.Shop.Ops.GetAsync("/api/v1/trades/1");
        var limited = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();

        limited.ShouldNotBeEmpty();
        answers.Take(5).ShouldAllBe(a => a.StatusCode == HttpStatusCode.NotFound);
        var first = limited[0];
        first.Headers.RetryAfter.ShouldNotBeNull();
        first.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        using (var json = JsonDocument.Parse(await first.Content.ReadAsStringAsync()))
        {
            json.RootElement.GetProperty("code").GetString().ShouldBe("rate_limited");
            json.RootElement.GetProperty("status").GetInt32().ShouldBe(429);
        }

        otherKey.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        answers.ForEach(a => a.Dispose());
    }
}
