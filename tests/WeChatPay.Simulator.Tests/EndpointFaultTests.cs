using System.Diagnostics;
using System.Globalization;
using System.Net;
using WeChatPay.Simulator.Tests.Infrastructure;

namespace WeChatPay.Simulator.Tests;

public sealed class EndpointFaultTests(SimFixture fixture) : IClassFixture<SimFixture>
{
    private const string Native = "/v3/pay/transactions/native";

    [Fact]
    public async Task Error500_answers_SYSTEM_ERROR_without_executing()
    {
        var outTradeNo = SimFixture.NewTradeNo();
        await Fault("transactions.native", outTradeNo, "error500");

        var failed = await fixture.Wx.PostAsync(Native, fixture.NativeOrder(outTradeNo));
        var query = await fixture.QueryAsync(outTradeNo);
        var retried = await fixture.Wx.PostAsync(Native, fixture.NativeOrder(outTradeNo));

        failed.Status.ShouldBe(HttpStatusCode.InternalServerError);
        failed.Code.ShouldBe("SYSTEM_ERROR");
        failed.Header("Wechatpay-Signature").ShouldBeNull();
        query.Code.ShouldBe("ORDER_NOT_EXIST");
        retried.Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Error429_answers_FREQUENCY_LIMITED_without_executing()
    {
        var outTradeNo = await fixture.UnpaidTradeAsync();
        await Fault("transactions.close", outTradeNo, "error429");

        var limited = await fixture.CloseAsync(outTradeNo);

        limited.Status.ShouldBe(HttpStatusCode.TooManyRequests);
        limited.Code.ShouldBe("FREQUENCY_LIMITED");
        (await fixture.QueryAsync(outTradeNo)).Field("trade_state").ShouldBe("NOTPAY");
    }

    [Fact]
    public async Task A_scripted_error_answers_its_status_and_code_without_executing()
    {
        var outTradeNo = await fixture.PaidTradeAsync();
        await fixture.Control.EndpointFaultAsync(new { endpoint = "refunds.create", out_trade_no = outTradeNo, mode = "error", status = 403, code = "NOT_ENOUGH" });

        var refused = await fixture.RefundAsync(outTradeNo, outTradeNo + "-1", 100);

        refused.Status.ShouldBe(HttpStatusCode.Forbidden);
        refused.Code.ShouldBe("NOT_ENOUGH");
        (await fixture.Wx.GetAsync($"/v3/refund/domestic/refunds/{outTradeNo}-1")).Status.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Hang_closes_the_connection_after_the_delay_without_executing()
    {
        var outTradeNo = SimFixture.NewTradeNo();
        await Fault("transactions.native", outTradeNo, "hang", delayMs: 300);
        var watch = Stopwatch.StartNew();

        await Should.ThrowAsync<HttpRequestException>(() => fixture.Wx.PostAsync(Native, fixture.NativeOrder(outTradeNo)));

        watch.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(280));
        (await fixture.QueryAsync(outTradeNo)).Code.ShouldBe("ORDER_NOT_EXIST");
    }

    [Fact]
    public async Task Hang_never_outlasts_the_hang_timeout()
    {
        var outTradeNo = SimFixture.NewTradeNo();
        await fixture.Control.PutAsync("/_sim/settings", new { hang_timeout_ms = 400 });
        await Fault("transactions.native", outTradeNo, "hang", delayMs: 60_000);
        var watch = Stopwatch.StartNew();

        await Should.ThrowAsync<HttpRequestException>(() => fixture.Wx.PostAsync(Native, fixture.NativeOrder(outTradeNo)));
        await fixture.Control.PutAsync("/_sim/settings", new { hang_timeout_ms = 3000 });

        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Slow_answers_normally_after_the_delay()
    {
        var outTradeNo = SimFixture.NewTradeNo();
        await Fault("transactions.native", outTradeNo, "slow", delayMs: 400);
        var watch = Stopwatch.StartNew();

        var reply = await fixture.Wx.PostAsync(Native, fixture.NativeOrder(outTradeNo));

        watch.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(380));
        reply.Status.ShouldBe(HttpStatusCode.OK);
        fixture.Verifier.ShouldVerify(reply);
    }

    [Fact]
    public async Task Error500_after_executes_the_call_then_answers_500()
    {
        var outTradeNo = await fixture.UnpaidTradeAsync();
        await Fault("transactions.close", outTradeNo, "error500_after");

        var lost = await fixture.CloseAsync(outTradeNo);
        var retried = await fixture.CloseAsync(outTradeNo);

        lost.Status.ShouldBe(HttpStatusCode.InternalServerError);
        retried.Code.ShouldBe("ORDER_CLOSED");
        (await fixture.QueryAsync(outTradeNo)).Field("trade_state").ShouldBe("CLOSED");
    }

    [Fact]
    public async Task Close_after_executes_the_call_then_drops_the_connection()
    {
        var outTradeNo = await fixture.PaidTradeAsync();
        await Fault("refunds.create", outTradeNo, "close_after");

        await Should.ThrowAsync<HttpRequestException>(() => fixture.RefundAsync(outTradeNo, outTradeNo + "-1", 100));
        var repeated = await fixture.RefundAsync(outTradeNo, outTradeNo + "-1", 100);

        repeated.Status.ShouldBe(HttpStatusCode.OK);
        (await fixture.Control.BookAsync(outTradeNo)).GetProperty("refunds").GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public async Task A_bad_signature_answer_does_not_verify()
    {
        var outTradeNo = await fixture.UnpaidTradeAsync();
        await Fault("transactions.query", outTradeNo, "bad_signature");

        var reply = await fixture.QueryAsync(outTradeNo);

        reply.Status.ShouldBe(HttpStatusCode.OK);
        reply.Field("trade_state").ShouldBe("NOTPAY");
        fixture.Verifier.Verifies(reply.Headers, reply.Raw).ShouldBeFalse();
    }

    [Fact]
    public async Task A_stale_timestamp_answer_is_correctly_signed_but_too_old()
    {
        var outTradeNo = await fixture.UnpaidTradeAsync();
        await Fault("transactions.query", outTradeNo, "stale_timestamp");

        var reply = await fixture.QueryAsync(outTradeNo);

        var timestamp = reply.Header("Wechatpay-Timestamp")!;
        (DateTimeOffset.UtcNow.ToUnixTimeSeconds() - long.Parse(timestamp, CultureInfo.InvariantCulture)).ShouldBeGreaterThan(500);
        fixture.Verifier.Verifies(reply.Headers, reply.Raw).ShouldBeFalse();
        var key = fixture.Verifier.Keys[reply.Header("Wechatpay-Serial")!];
        TestCrypto.Verify(key, TestCrypto.ResponseMessage(timestamp, reply.Header("Wechatpay-Nonce")!, reply.Raw), reply.Header("Wechatpay-Signature")!)
            .ShouldBeTrue();
    }

    [Fact]
    public async Task An_unsigned_answer_has_no_signature_headers()
    {
        var outTradeNo = await fixture.UnpaidTradeAsync();
        await Fault("transactions.query", outTradeNo, "unsigned");

        var reply = await fixture.QueryAsync(outTradeNo);

        reply.Status.ShouldBe(HttpStatusCode.OK);
        reply.Header("Wechatpay-Signature").ShouldBeNull();
        reply.Header("Wechatpay-Serial").ShouldBeNull();
    }

    [Fact]
    public async Task A_counted_fault_hits_only_the_next_calls()
    {
        var outTradeNo = await fixture.UnpaidTradeAsync();
        await Fault("transactions.query", outTradeNo, "error500", count: 2);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await fixture.QueryAsync(outTradeNo)).Status);
        }

        statuses.ShouldBe([HttpStatusCode.InternalServerError, HttpStatusCode.InternalServerError, HttpStatusCode.OK]);
    }

    [Fact]
    public async Task A_sticky_fault_hits_every_call_until_cleared()
    {
        var outTradeNo = await fixture.UnpaidTradeAsync();
        await fixture.Control.EndpointFaultAsync(new { endpoint = "transactions.query", out_trade_no = outTradeNo, mode = "error500", sticky = true });

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((await fixture.QueryAsync(outTradeNo)).Status);
        }

        await fixture.Control.SendAsync(HttpMethod.Delete, $"/_sim/faults?out_trade_no={outTradeNo}");
        var cleared = await fixture.QueryAsync(outTradeNo);

        statuses.ShouldAllBe(s => s == HttpStatusCode.InternalServerError);
        cleared.Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_fault_scoped_to_one_trade_spares_the_others_and_the_request_log_shows_it()
    {
        var faulty = await fixture.UnpaidTradeAsync();
        var healthy = await fixture.UnpaidTradeAsync();
        await Fault("transactions.query", faulty, "error500");

        var spared = await fixture.QueryAsync(healthy);
        var hit = await fixture.QueryAsync(faulty);

        spared.Status.ShouldBe(HttpStatusCode.OK);
        hit.Status.ShouldBe(HttpStatusCode.InternalServerError);
        var log = (await fixture.Control.GetAsync("/_sim/requests?endpoint=transactions.query")).GetProperty("log").EnumerateArray().ToList();
        log.ShouldContain(r => r.GetProperty("url").GetString()!.Contains(faulty) && r.GetProperty("fault").GetString() == "error500"
            && r.GetProperty("status").GetInt32() == 500);
    }

    [Fact]
    public async Task An_unknown_endpoint_or_mode_is_refused()
    {
        var endpoint = await fixture.Control.TrySendAsync(HttpMethod.Post, "/_sim/endpoint-faults", new { endpoint = "nope", mode = "error500" });
        var mode = await fixture.Control.TrySendAsync(HttpMethod.Post, "/_sim/endpoint-faults", new { endpoint = "certificates", mode = "explode" });

        endpoint.Status.ShouldBe(HttpStatusCode.BadRequest);
        mode.Status.ShouldBe(HttpStatusCode.BadRequest);
    }

    private Task Fault(string endpoint, string outTradeNo, string mode, int? delayMs = null, int count = 1) =>
        fixture.Control.EndpointFaultAsync(new { endpoint, out_trade_no = outTradeNo, mode, delay_ms = delayMs, count });
}
