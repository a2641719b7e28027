using System.Net;
using WeChatPay.Simulator.Tests.Infrastructure;

namespace WeChatPay.Simulator.Tests;

public sealed class RefundTests(SimFixture fixture) : IClassFixture<SimFixture>
{
    [Fact]
    public async Task A_refund_is_PROCESSING_then_SUCCESS_with_a_REFUND_SUCCESS_notification()
    {
        var outTradeNo = await fixture.PaidTradeAsync();
        var outRefundNo = outTradeNo + "-1";

        var accepted = await fixture.RefundAsync(outTradeNo, outRefundNo, 300);

        accepted.Status.ShouldBe(HttpStatusCode.OK, accepted.Text);
        accepted.Field("status").ShouldBe("PROCESSING");
        accepted.Json.TryGetProperty("success_time", out _).ShouldBeFalse();
        accepted.Field("refund_id").Length.ShouldBe(29);
        var notification = (await fixture.Listener.WaitForAsync(outRefundNo, 1)).Single();
        fixture.Verifier.Verifies(notification.Headers, notification.Raw).ShouldBeTrue();
        notification.Json.GetProperty("event_type").GetString().ShouldBe("REFUND.SUCCESS");
        notification.Json.GetProperty("resource").GetProperty("original_type").GetString().ShouldBe("refund");
        var refund = notification.Resource(SimFixture.ApiV3Key);
        refund.GetProperty("refund_status").GetString().ShouldBe("SUCCESS");
        refund.GetProperty("out_refund_no").GetString().ShouldBe(outRefundNo);
        refund.GetProperty("refund_id").GetString().ShouldBe(accepted.Field("refund_id"));
        refund.GetProperty("amount").GetProperty("refund").GetInt64().ShouldBe(300);
        refund.GetProperty("amount").GetProperty("total").GetInt64().ShouldBe(1150);
        var queried = await fixture.Wx.GetAsync($"/v3/refund/domestic/refunds/{outRefundNo}");
        queried.Field("status").ShouldBe("SUCCESS");
        queried.Field("success_time").ShouldEndWith("+08:00");
        fixture.Verifier.ShouldVerify(queried);
    }

    [Fact]
    public async Task A_refund_repeated_with_the_same_out_refund_no_is_the_same_refund_paid_once()
    {
        var outTradeNo = await fixture.PaidTradeAsync();

        var first = await fixture.RefundAsync(outTradeNo, outTradeNo + "-1", 1150);
        var again = await fixture.RefundAsync(outTradeNo, outTradeNo + "-1", 1150);

        again.Status.ShouldBe(HttpStatusCode.OK);
        again.Field("refund_id").ShouldBe(first.Field("refund_id"));
        await Wait.UntilAsync(async () => (await fixture.Control.BookAsync(outTradeNo)).GetProperty("refunded").GetInt64() == 1150);
        var book = await fixture.Control.BookAsync(outTradeNo);
        book.GetProperty("refunds").GetArrayLength().ShouldBe(1);
        book.GetProperty("net").GetInt64().ShouldBe(0);
    }

    [Fact]
    public async Task The_same_out_refund_no_with_another_amount_is_INVALID_REQUEST()
    {
        var outTradeNo = await fixture.PaidTradeAsync();
        await fixture.RefundAsync(outTradeNo, outTradeNo + "-1", 100);

        var other = await fixture.RefundAsync(outTradeNo, outTradeNo + "-1", 200);

        other.Status.ShouldBe(HttpStatusCode.BadRequest);
        other.Code.ShouldBe("INVALID_REQUEST");
    }

    [Fact]
    public async Task Refunds_together_never_exceed_the_amount_paid()
    {
        var outTradeNo = await fixture.PaidTradeAsync(total: 1000);

        var first = await fixture.RefundAsync(outTradeNo, outTradeNo + "-1", 600, total: 1000);
        var second = await fixture.RefundAsync(outTradeNo, outTradeNo + "-2", 500, total: 1000);
        var rest = await fixture.RefundAsync(outTradeNo, outTradeNo + "-3", 400, total: 1000);

        first.Status.ShouldBe(HttpStatusCode.OK);
        second.Status.ShouldBe(HttpStatusCode.BadRequest);
        second.Code.ShouldBe("INVALID_REQUEST");
        rest.Status.ShouldBe(HttpStatusCode.OK);
        (await fixture.RefundAsync(outTradeNo, outTradeNo + "-4", 1, total: 1000)).Code.ShouldBe("INVALID_REQUEST");
    }

    [Fact]
    public async Task A_closed_refund_gives_its_amount_back_to_the_refundable_balance()
    {
        var outTradeNo = await fixture.PaidTradeAsync(total: 500);
        await fixture.Control.RefundOutcomeAsync(new { outcome = "closed", out_trade_no = outTradeNo });
        await fixture.RefundAsync(outTradeNo, outTradeNo + "-1", 500, total: 500);
        await Wait.UntilAsync(async () => (await fixture.Control.RefundAsync(outTradeNo + "-1")).GetProperty("status").GetString() == "CLOSED");

        var second = await fixture.RefundAsync(outTradeNo, outTradeNo + "-2", 500, total: 500);

        second.Status.ShouldBe(HttpStatusCode.OK, second.Text);
    }

    [Fact]
    public async Task A_refund_of_an_unpaid_order_is_refused()
    {
        var outTradeNo = await fixture.UnpaidTradeAsync();

        var reply = await fixture.RefundAsync(outTradeNo, outTradeNo + "-1", 100);

        reply.Status.ShouldBe(HttpStatusCode.BadRequest);
        reply.Code.ShouldBe("INVALID_REQUEST");
    }

    [Fact]
    public async Task A_refund_of_an_unknown_order_is_RESOURCE_NOT_EXISTS()
    {
        var reply = await fixture.RefundAsync(SimFixture.NewTradeNo(), "R-unknown-1", 100);

        reply.Status.ShouldBe(HttpStatusCode.NotFound);
        reply.Code.ShouldBe("RESOURCE_NOT_EXISTS");
    }

    [Fact]
    public async Task A_refund_total_other_than_the_amount_paid_is_PARAM_ERROR()
    {
        var outTradeNo = await fixture.PaidTradeAsync(total: 1150);

        var reply = await fixture.RefundAsync(outTradeNo, outTradeNo + "-1", 100, total: 1000);

        reply.Code.ShouldBe("PARAM_ERROR");
        reply.Json.GetProperty("detail").GetProperty("field").GetString().ShouldBe("/amount/total");
    }

    [Fact]
    public async Task Querying_an_unknown_refund_is_RESOURCE_NOT_EXISTS()
    {
        var reply = await fixture.Wx.GetAsync("/v3/refund/domestic/refunds/R-never");

        reply.Status.ShouldBe(HttpStatusCode.NotFound);
        reply.Code.ShouldBe("RESOURCE_NOT_EXISTS");
    }

    [Fact]
    public async Task A_refunded_trade_queries_as_REFUND()
    {
        var outTradeNo = await fixture.PaidTradeAsync();

        await fixture.RefundAsync(outTradeNo, outTradeNo + "-1", 100);

        (await fixture.QueryAsync(outTradeNo)).Field("trade_state").ShouldBe("REFUND");
    }

    [Fact]
    public async Task The_success_outcome_answers_SUCCESS_at_once()
    {
        var outTradeNo = await fixture.PaidTradeAsync();
        await fixture.Control.RefundOutcomeAsync(new { outcome = "success", out_refund_no = outTradeNo + "-1" });

        var reply = await fixture.RefundAsync(outTradeNo, outTradeNo + "-1", 100);

        reply.Field("status").ShouldBe("SUCCESS");
        reply.Field("success_time").ShouldEndWith("+08:00");
        (await fixture.Listener.WaitForAsync(outTradeNo + "-1", 1)).Single().Json.GetProperty("event_type").GetString().ShouldBe("REFUND.SUCCESS");
    }

    [Theory]
    [InlineData("closed", "CLOSED", "REFUND.CLOSED")]
    [InlineData("abnormal", "ABNORMAL", "REFUND.ABNORMAL")]
    public async Task A_failing_outcome_ends_the_refund_with_its_notification(string outcome, string status, string eventType)
    {
        var outTradeNo = await fixture.PaidTradeAsync();
        await fixture.Control.RefundOutcomeAsync(new { outcome, out_trade_no = outTradeNo });

        var reply = await fixture.RefundAsync(outTradeNo, outTradeNo + "-1", 100);

        reply.Field("status").ShouldBe("PROCESSING");
        var notification = (await fixture.Listener.WaitForAsync(outTradeNo + "-1", 1)).Single();
        notification.Json.GetProperty("event_type").GetString().ShouldBe(eventType);
        notification.Resource(SimFixture.ApiV3Key).GetProperty("refund_status").GetString().ShouldBe(status);
        (await fixture.Wx.GetAsync($"/v3/refund/domestic/refunds/{outTradeNo}-1")).Field("status").ShouldBe(status);
        (await fixture.Control.BookAsync(outTradeNo)).GetProperty("refunded").GetInt64().ShouldBe(0);
    }

    [Fact]
    public async Task A_processing_refund_waits_for_the_control_api_and_an_abnormal_one_can_still_succeed()
    {
        var outTradeNo = await fixture.PaidTradeAsync();
        await fixture.Control.RefundOutcomeAsync(new { outcome = "processing", out_trade_no = outTradeNo });
        await fixture.RefundAsync(outTradeNo, outTradeNo + "-1", 100);
        await Task.Delay(400);
        var waiting = await fixture.Wx.GetAsync($"/v3/refund/domestic/refunds/{outTradeNo}-1");

        await fixture.Control.PostAsync($"/_sim/refunds/{outTradeNo}-1/settle", new { status = "ABNORMAL" });
        await fixture.Control.PostAsync($"/_sim/refunds/{outTradeNo}-1/settle", new { status = "SUCCESS" });
        var final = await fixture.Control.TrySendAsync(HttpMethod.Post, $"/_sim/refunds/{outTradeNo}-1/settle", new { status = "CLOSED" });

        waiting.Field("status").ShouldBe("PROCESSING");
        final.Status.ShouldBe(HttpStatusCode.Conflict);
        var events = await fixture.Listener.WaitForAsync(outTradeNo + "-1", 2);
        events.Select(e => e.Json.GetProperty("event_type").GetString()).ShouldBe(["REFUND.ABNORMAL", "REFUND.SUCCESS"]);
    }

    [Fact]
    public async Task A_long_refund_delay_settles_when_the_clock_is_advanced()
    {
        var outTradeNo = await fixture.PaidTradeAsync();
        await fixture.Control.RefundOutcomeAsync(new { outcome = "delayed_success", out_trade_no = outTradeNo, delay_ms = 3_600_000 });
        await fixture.RefundAsync(outTradeNo, outTradeNo + "-1", 100);

        await fixture.Control.AdvanceClockAsync(3601);

        (await fixture.Control.RefundAsync(outTradeNo + "-1")).GetProperty("status").GetString().ShouldBe("SUCCESS");
    }

    [Fact]
    public async Task A_refund_without_notify_url_sends_no_notification()
    {
        var outTradeNo = await fixture.PaidTradeAsync();
        await fixture.Control.RefundOutcomeAsync(new { outcome = "success", out_trade_no = outTradeNo });

        var reply = await fixture.Wx.PostAsync("/v3/refund/domestic/refunds", new
        {
            out_trade_no = outTradeNo, out_refund_no = outTradeNo + "-1", amount = new { refund = 100, total = 1150, currency = "CNY" },
        });

        reply.Field("status").ShouldBe("SUCCESS");
        (await fixture.Control.GetAsync($"/_sim/notifications?out_trade_no={outTradeNo}&event_type=REFUND")).GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task The_default_refund_outcome_is_a_setting()
    {
        await fixture.Control.PutAsync("/_sim/settings", new { refund_outcome = "success" });
        var outTradeNo = await fixture.PaidTradeAsync();

        var reply = await fixture.RefundAsync(outTradeNo, outTradeNo + "-1", 100);
        await fixture.Control.PutAsync("/_sim/settings", new { refund_outcome = "delayed_success" });

        reply.Field("status").ShouldBe("SUCCESS");
    }
}
