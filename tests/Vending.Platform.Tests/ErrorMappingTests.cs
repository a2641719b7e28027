using System.Net;
using System.Net.Sockets;
using Vending.Platform.Tests.Support;

namespace Vending.Platform.Tests;

public class ErrorMappingTests
{
    [Theory]
    [InlineData(400, PlatformErrorCategory.Validation)]
    [InlineData(404, PlatformErrorCategory.NotFound)]
    [InlineData(10001, PlatformErrorCategory.Validation)]
    [InlineData(10008, PlatformErrorCategory.Auth)]
    [InlineData(10009, PlatformErrorCategory.Auth)]
    [InlineData(10010, PlatformErrorCategory.Auth)]
    [InlineData(10013, PlatformErrorCategory.Auth)]
    [InlineData(10014, PlatformErrorCategory.Auth)]
    [InlineData(10023, PlatformErrorCategory.PickupCodesNotEnabled)]
    [InlineData(10025, PlatformErrorCategory.PickupCodeUsed)]
    [InlineData(30001, PlatformErrorCategory.MachineNotFound)]
    [InlineData(30002, PlatformErrorCategory.MachineOffline)]
    [InlineData(30003, PlatformErrorCategory.MachineNotFound)]
    [InlineData(30004, PlatformErrorCategory.MachineOffline)]
    [InlineData(30005, PlatformErrorCategory.MachineBusy)]
    [InlineData(40005, PlatformErrorCategory.OrderExpired)]
    [InlineData(40006, PlatformErrorCategory.OrderStatusInvalid)]
    [InlineData(60002, PlatformErrorCategory.OffSale)]
    [InlineData(60003, PlatformErrorCategory.InsufficientStock)]
    [InlineData(80002, PlatformErrorCategory.NotFound)]
    [InlineData(99999, PlatformErrorCategory.Unknown)]
    public async Task Maps_five_digit_codes(int code, PlatformErrorCategory expected)
    {
        var client = TestClient.Create(StubHandler.Answering(Envelopes.Error(code, "failed")));

        var error = await Should.ThrowAsync<PlatformException>(() => client.GetOrderAsync(new QueryOrderRequest("16327129", 60)));

        error.Category.ShouldBe(expected);
        error.Code.ShouldBe(code);
        error.PlatformMessage.ShouldBe("failed");
        error.OutcomeUnknown.ShouldBeFalse();
    }

    [Theory]
    [InlineData(4006, PlatformErrorCategory.Auth)]
    [InlineData(6040, PlatformErrorCategory.DuplicateTradeId)]
    [InlineData(6042, PlatformErrorCategory.OrderExpired)]
    [InlineData(6043, PlatformErrorCategory.OrderStatusInvalid)]
    [InlineData(6045, PlatformErrorCategory.OffSale)]
    [InlineData(6046, PlatformErrorCategory.OffSale)]
    [InlineData(6047, PlatformErrorCategory.InsufficientStock)]
    [InlineData(6049, PlatformErrorCategory.OrderStatusInvalid)]
    [InlineData(6054, PlatformErrorCategory.OrderUnpaid)]
    public async Task Maps_four_digit_codes(int code, PlatformErrorCategory expected)
    {
        var client = TestClient.Create(StubHandler.Answering(Envelopes.Error(code, "failed")));

        var error = await Should.ThrowAsync<PlatformException>(() => client.CreateOrderAsync(Order()));

        error.Category.ShouldBe(expected);
        error.Code.ShouldBe(code);
    }

    [Theory]
    [InlineData(10001, "trade id exists")]
    [InlineData(10001, "Trade ID exists")]
    [InlineData(400, "订单号已存在")]
    [InlineData(0, "订单号已存在")]
    public async Task Recognises_a_duplicate_trade_id_by_its_text(int code, string message)
    {
        var client = TestClient.Create(StubHandler.Answering(Envelopes.Error(code, message)));

        var error = await Should.ThrowAsync<PlatformException>(() => client.CreateOrderAsync(Order()));

        error.Category.ShouldBe(PlatformErrorCategory.DuplicateTradeId);
    }

    [Fact]
    public async Task Treats_code_zero_with_order_unpaid_as_a_failure()
    {
        var client = TestClient.Create(StubHandler.Answering("""{"code":0,"message":"订单未支付","data":{}}"""));

        var error = await Should.ThrowAsync<PlatformException>(() => client.DispenseAsync(new DispenseRequest("16327129", 60, 78)));

        error.Category.ShouldBe(PlatformErrorCategory.OrderUnpaid);
        error.Code.ShouldBe(0);
        error.PlatformMessage.ShouldBe("订单未支付");
        error.OutcomeUnknown.ShouldBeFalse();
    }

    [Fact]
    public async Task Treats_code_zero_with_a_restock_over_capacity_as_a_failure()
    {
        var client = TestClient.Create(StubHandler.Answering("""{"code":0,"message":"超出货道最大库存"}"""));

        var error = await Should.ThrowAsync<PlatformException>(() => client.RestockAsync(RestockRequest.ForProduct("16327129", 1, 99)));

        error.Category.ShouldBe(PlatformErrorCategory.Validation);
    }

    [Theory]
    [InlineData("""{"code":0,"message":"success","data":{"delivery_id":"1"}}""")]
    [InlineData("""{"code":0,"message":"","data":{"delivery_id":"1"}}""")]
    [InlineData("""{"code":0,"data":{"delivery_id":"1"}}""")]
    public async Task Treats_code_zero_without_the_ok_message_as_a_failure(string body)
    {
        var client = TestClient.Create(StubHandler.Answering(body));

        var error = await Should.ThrowAsync<PlatformException>(() => client.DispenseAsync(new DispenseRequest("16327129", 60, 78)));

        error.Category.ShouldBe(PlatformErrorCategory.Unknown);
        error.OutcomeUnknown.ShouldBeFalse();
    }

    [Fact]
    public async Task Carries_the_earlier_order_of_a_used_pickup_code()
    {
        var client = TestClient.Create(StubHandler.Answering(Envelopes.Error(10025, "pickup code used", """{"order_id":"4711"}""")));

        var error = await Should.ThrowAsync<PlatformException>(() =>
            client.ConsumePickupCodeAsync(new ConsumePickupCodeRequest("16327129", "1234567", 1323442, "https://m.example/n", "20240426123456789012")));

        error.Category.ShouldBe(PlatformErrorCategory.PickupCodeUsed);
        error.EarlierOrderId.ShouldBe(4711);
    }

    [Theory]
    [InlineData("""{"code":10008,"message":"appid or appsecret empty","data":{}}""")]
    [InlineData("""{"code":10013,"message":"app secret invalid"}""")]
    [InlineData("Unauthorized")]
    public async Task Maps_http_401_to_auth(string body)
    {
        var client = TestClient.Create(StubHandler.Answering(body, HttpStatusCode.Unauthorized));

        var error = await Should.ThrowAsync<PlatformException>(() => client.PingAsync());

        error.Category.ShouldBe(PlatformErrorCategory.Auth);
        error.HttpStatus.ShouldBe(401);
        error.OutcomeUnknown.ShouldBeFalse();
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, true)]
    [InlineData(HttpStatusCode.BadGateway, true)]
    [InlineData(HttpStatusCode.ServiceUnavailable, true)]
    [InlineData(HttpStatusCode.GatewayTimeout, true)]
    [InlineData(HttpStatusCode.TooManyRequests, false)]
    public async Task Maps_429_and_5xx_to_transient(HttpStatusCode status, bool outcomeUnknown)
    {
        var client = TestClient.Create(StubHandler.Answering("<html>busy</html>", status));

        var error = await Should.ThrowAsync<PlatformException>(() => client.DispenseAsync(new DispenseRequest("16327129", 60, 78)));

        error.Category.ShouldBe(PlatformErrorCategory.Transient);
        error.HttpStatus.ShouldBe((int)status);
        error.OutcomeUnknown.ShouldBe(outcomeUnknown);
    }

    [Fact]
    public async Task Prefers_a_meaningful_platform_code_over_a_5xx_status()
    {
        var client = TestClient.Create(StubHandler.Answering(Envelopes.Error(30002, "machine offline"), HttpStatusCode.InternalServerError));

        var error = await Should.ThrowAsync<PlatformException>(() => client.DispenseAsync(new DispenseRequest("16327129", 60, 78)));

        error.Category.ShouldBe(PlatformErrorCategory.MachineOffline);
        error.OutcomeUnknown.ShouldBeFalse();
    }

    [Fact]
    public async Task Maps_an_http_404_without_an_envelope_to_not_found()
    {
        var client = TestClient.Create(StubHandler.Answering("", HttpStatusCode.NotFound));

        var error = await Should.ThrowAsync<PlatformException>(() => client.GetDispenseAsync(new QueryDispenseRequest("16327129", "D-1")));

        error.Category.ShouldBe(PlatformErrorCategory.NotFound);
        error.Code.ShouldBe(404);
    }

    [Fact]
    public async Task Treats_a_refused_connection_as_transient_and_never_sent()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused", new SocketException((int)SocketError.ConnectionRefused));
        var client = TestClient.Create(StubHandler.Throwing(refused));

        var error = await Should.ThrowAsync<PlatformException>(() => client.DispenseAsync(new DispenseRequest("16327129", 60, 78)));

        error.Category.ShouldBe(PlatformErrorCategory.Transient);
        error.OutcomeUnknown.ShouldBeFalse();
        error.HttpStatus.ShouldBeNull();
    }

    [Fact]
    public async Task Treats_a_connection_dropped_after_sending_as_outcome_unknown()
    {
        var dropped = new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely.");
        var client = TestClient.Create(StubHandler.Throwing(dropped));

        var error = await Should.ThrowAsync<PlatformException>(() => client.DispenseAsync(new DispenseRequest("16327129", 60, 78)));

        error.Category.ShouldBe(PlatformErrorCategory.Transient);
        error.OutcomeUnknown.ShouldBeTrue();
    }

    [Theory]
    [InlineData("")]
    [InlineData("<html>ok</html>")]
    [InlineData("""{"unexpected":true}""")]
    public async Task Treats_an_unreadable_success_response_as_outcome_unknown(string body)
    {
        var client = TestClient.Create(StubHandler.Answering(body));

        var error = await Should.ThrowAsync<PlatformException>(() => client.DispenseAsync(new DispenseRequest("16327129", 60, 78)));

        error.Category.ShouldBe(PlatformErrorCategory.Unknown);
        error.OutcomeUnknown.ShouldBeTrue();
    }

    private static CreateOrderRequest Order() =>
        new("16327129", "https://m.example/n", "20240426123456789012", [new OrderProduct(1323442, 1)]);
}
