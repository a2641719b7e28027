using System.Net;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Vending.Platform.Tests.Support;

namespace Vending.Platform.Tests;

public class ResilienceTests
{
    private static readonly (HttpStatusCode, string) Unavailable = (HttpStatusCode.ServiceUnavailable, "");

    [Fact]
    public async Task Retries_a_query_order_on_503_until_it_succeeds()
    {
        var handler = StubHandler.Sequence(Unavailable, Unavailable, (HttpStatusCode.OK, Envelopes.Ok("""{"order_id":60,"status":"NOTPAY"}""")));
        var client = TestClient.Create(handler, options => options.RetryAttempts = 2);

        var order = await client.GetOrderAsync(new QueryOrderRequest("16327129", 60));

        order.Status.ShouldBe(PlatformOrderStatus.NotPay);
        handler.Requests.Count.ShouldBe(3);
    }

    [Fact]
    public async Task Gives_up_after_the_configured_retries()
    {
        var handler = StubHandler.Sequence(Unavailable);
        var client = TestClient.Create(handler, options => options.RetryAttempts = 3);

        var error = await Should.ThrowAsync<PlatformException>(() => client.GetOrderAsync(new QueryOrderRequest("16327129", 60)));

        error.Category.ShouldBe(PlatformErrorCategory.Transient);
        handler.Requests.Count.ShouldBe(4);
    }

    [Fact]
    public async Task Signs_each_retry_afresh()
    {
        var handler = StubHandler.Sequence(Unavailable, (HttpStatusCode.OK, Envelopes.Ok("[]")));
        var client = TestClient.Create(handler);

        await client.GetCategoriesAsync("16327129");

        handler.Requests.Count.ShouldBe(2);
        handler.Requests.Select(request => PayloadSigner.TryVerify(request.Payload, TestClient.DemoAppKey, out _)).ShouldBe([true, true]);
    }

    [Theory]
    [InlineData("ping")]
    [InlineData("machines.list")]
    [InlineData("machines.get")]
    [InlineData("floors")]
    [InlineData("banners")]
    [InlineData("products")]
    [InlineData("categories")]
    [InlineData("orders.query")]
    [InlineData("pickup_codes.query")]
    [InlineData("deliveries.query")]
    public async Task Retries_safe_to_repeat_calls_on_503(string endpoint)
    {
        var handler = StubHandler.Sequence(Unavailable);
        var client = TestClient.Create(handler, options => options.RetryAttempts = 2);

        await Should.ThrowAsync<PlatformException>(() => EndpointCalls.Invoke(client, endpoint));

        handler.Requests.Count.ShouldBe(3);
    }

    [Theory]
    [InlineData("orders.create")]
    [InlineData("orders.update")]
    [InlineData("pickup_codes.generate.id")]
    [InlineData("pickup_codes.generate.all")]
    [InlineData("pickup_codes.cancel.id")]
    [InlineData("pickup_codes.cancel.all")]
    [InlineData("pickup_codes.consume")]
    [InlineData("deliveries.dispense")]
    [InlineData("deliveries.debug")]
    [InlineData("replenishments.product")]
    [InlineData("replenishments.category")]
    [InlineData("replenishments.machine")]
    public async Task Never_retries_calls_with_effects_on_503(string endpoint)
    {
        var handler = StubHandler.Sequence(Unavailable);
        var client = TestClient.Create(handler, options => options.RetryAttempts = 2);

        var error = await Should.ThrowAsync<PlatformException>(() => EndpointCalls.Invoke(client, endpoint));

        error.OutcomeUnknown.ShouldBeTrue();
        handler.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Does_not_retry_a_definitive_platform_error()
    {
        var handler = StubHandler.Answering(Envelopes.Error(40005, "order expired"));
        var client = TestClient.Create(handler, options => options.RetryAttempts = 2);

        var error = await Should.ThrowAsync<PlatformException>(() => client.GetOrderAsync(new QueryOrderRequest("16327129", 60)));

        error.Category.ShouldBe(PlatformErrorCategory.OrderExpired);
        handler.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Surfaces_a_hung_dispense_as_transient_with_unknown_outcome()
    {
        var handler = StubHandler.Hanging();
        var client = TestClient.Create(handler, options => options.Timeout = TimeSpan.FromMilliseconds(100));

        var error = await Should.ThrowAsync<PlatformException>(() => client.DispenseAsync(new DispenseRequest("16327129", 60, 78)));

        error.Category.ShouldBe(PlatformErrorCategory.Transient);
        error.OutcomeUnknown.ShouldBeTrue();
        error.InnerException.ShouldBeOfType<TimeoutRejectedException>();
        handler.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Times_out_each_attempt_of_a_query_and_retries_it()
    {
        var handler = StubHandler.Hanging();
        var client = TestClient.Create(handler, options =>
        {
            options.Timeout = TimeSpan.FromMilliseconds(50);
            options.RetryAttempts = 1;
        });

        var error = await Should.ThrowAsync<PlatformException>(() => client.GetOrderAsync(new QueryOrderRequest("16327129", 60)));

        error.Category.ShouldBe(PlatformErrorCategory.Transient);
        handler.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Lets_the_callers_own_cancellation_propagate()
    {
        var handler = StubHandler.Hanging();
        var client = TestClient.Create(handler, options => options.Timeout = TimeSpan.FromSeconds(30));
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        var thrown = await Should.ThrowAsync<Exception>(() => client.GetOrderAsync(new QueryOrderRequest("16327129", 60), cancellation.Token));

        thrown.ShouldBeAssignableTo<OperationCanceledException>();
        handler.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Never_retries_a_command_that_hung_even_with_retries_configured()
    {
        var handler = StubHandler.Hanging();
        var client = TestClient.Create(handler, options =>
        {
            options.Timeout = TimeSpan.FromMilliseconds(50);
            options.RetryAttempts = 3;
        });

        var error = await Should.ThrowAsync<PlatformException>(() => client.CreateOrderAsync(
            new CreateOrderRequest("16327129", "https://m.example/n", "20240426123456789012", [new OrderProduct(1, 1)])));

        error.OutcomeUnknown.ShouldBeTrue();
        handler.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Gives_up_on_the_whole_call_at_the_total_timeout()
    {
        var handler = StubHandler.Hanging();
        var client = TestClient.Create(handler, options =>
        {
            options.Timeout = TimeSpan.FromMilliseconds(100);
            options.RetryAttempts = 10;
            options.TotalTimeout = TimeSpan.FromMilliseconds(250);
        });

        var error = await Should.ThrowAsync<PlatformException>(() => client.GetOrderAsync(new QueryOrderRequest("16327129", 60)));

        error.Category.ShouldBe(PlatformErrorCategory.Transient);
        error.OutcomeUnknown.ShouldBeTrue();
        handler.Requests.Count.ShouldBeInRange(2, 3);
    }

    [Fact]
    public async Task Opens_the_circuit_after_repeated_transient_failures_and_sends_nothing_while_open()
    {
        var handler = StubHandler.Sequence(Unavailable);
        var client = TestClient.Create(handler, options =>
        {
            options.RetryAttempts = 0;
            options.CircuitMinimumThroughput = 4;
            options.CircuitBreakDuration = TimeSpan.FromMinutes(1);
        });
        for (var i = 0; i < 4; i++)
        {
            await Should.ThrowAsync<PlatformException>(() => client.GetOrderAsync(new QueryOrderRequest("16327129", 60)));
        }

        var error = await Should.ThrowAsync<PlatformException>(() => client.DispenseAsync(new DispenseRequest("16327129", 60, 78)));

        error.Category.ShouldBe(PlatformErrorCategory.Transient);
        error.OutcomeUnknown.ShouldBeFalse();
        error.InnerException.ShouldBeOfType<BrokenCircuitException>();
        handler.Requests.Count.ShouldBe(4);
    }

    [Fact]
    public async Task Business_refusals_never_open_the_circuit()
    {
        var handler = StubHandler.Answering(Envelopes.Error(60003, "insufficient stock"));
        var client = TestClient.Create(handler, options => options.CircuitMinimumThroughput = 4);
        for (var i = 0; i < 8; i++)
        {
            var error = await Should.ThrowAsync<PlatformException>(() => client.GetOrderAsync(new QueryOrderRequest("16327129", 60)));
            error.Category.ShouldBe(PlatformErrorCategory.InsufficientStock);
        }

        handler.Requests.Count.ShouldBe(8);
    }
}
