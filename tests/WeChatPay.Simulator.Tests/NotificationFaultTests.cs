using System.Globalization;
using WeChatPay.Simulator.Tests.Infrastructure;

namespace WeChatPay.Simulator.Tests;

public sealed class NotificationFaultTests(SimFixture fixture) : IClassFixture<SimFixture>
{
    [Fact]
    public async Task A_dropped_notification_is_logged_but_never_delivered()
    {
        var outTradeNo = await fixture.UnpaidTradeAsync();
        await fixture.Control.NotificationFaultAsync(new { mode = "drop", out_trade_no = outTradeNo });

        await fixture.Control.PayAsync(outTradeNo);

        await Task.Delay(300);
        fixture.Listener.For(outTradeNo).ShouldBeEmpty();
        var log = (await fixture.Control.NotificationsAsync(outTradeNo)).Single();
        log.GetProperty("status").GetString().ShouldBe("dropped");
        log.GetProperty("fault").GetString().ShouldBe("drop");
        log.GetProperty("attempts").GetArrayLength().ShouldBe(0);
        (await fixture.QueryAsync(outTradeNo)).Field("trade_state").ShouldBe("SUCCESS");
    }

    [Fact]
    public async Task A_duplicated_notification_arrives_twice_with_the_same_id()
    {
        var outTradeNo = await fixture.UnpaidTradeAsync();
        await fixture.Control.NotificationFaultAsync(new { mode = "duplicate", out_trade_no = outTradeNo });

        await fixture.Control.PayAsync(outTradeNo);

        var received = await fixture.Listener.WaitForAsync(outTradeNo, 2);
        received.Count.ShouldBe(2);
        received[0].Text.ShouldBe(received[1].Text);
        received.ShouldAllBe(r => fixture.Verifier.Verifies(r.Headers, r.Raw));
    }

    [Fact]
    public async Task A_delayed_notification_arrives_after_the_delay()
    {
        var outTradeNo = await fixture.UnpaidTradeAsync();
        await fixture.Control.NotificationFaultAsync(new { mode = "delay", out_trade_no = outTradeNo, delay_ms = 700 });
        var paidAt = DateTimeOffset.UtcNow;

        await fixture.Control.PayAsync(outTradeNo);

        var received = (await fixture.Listener.WaitForAsync(outTradeNo, 1)).Single();
        (received.At - paidAt).ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(650));
        (await fixture.Control.NotificationsAsync(outTradeNo)).Single().GetProperty("fault").GetString().ShouldBe("delay");
    }

    [Fact]
    public async Task Reordered_notifications_arrive_in_reverse_order()
    {
        var outTradeNo = await fixture.PaidTradeAsync();
        await fixture.Listener.WaitForAsync(outTradeNo, 1);
        await fixture.Control.NotificationFaultAsync(new { mode = "reorder", out_trade_no = outTradeNo, event_type = "REFUND", count = 3, delay_ms = 10_000 });
        await fixture.Control.RefundOutcomeAsync(new { outcome = "success", out_trade_no = outTradeNo, count = 3 });

        foreach (var n in new[] { 1, 2, 3 })
        {
            await fixture.RefundAsync(outTradeNo, $"{outTradeNo}-{n}", 100, notifyKey: outTradeNo + "-refunds");
        }

        var received = await fixture.Listener.WaitForAsync(outTradeNo + "-refunds", 3);
        received.Select(r => r.Resource(SimFixture.ApiV3Key).GetProperty("out_refund_no").GetString())
            .ShouldBe([$"{outTradeNo}-3", $"{outTradeNo}-2", $"{outTradeNo}-1"]);
    }

    [Fact]
    public async Task Held_notifications_go_out_after_the_delay_when_fewer_arrive()
    {
        var outTradeNo = await fixture.PaidTradeAsync();
        await fixture.Listener.WaitForAsync(outTradeNo, 1);
        await fixture.Control.NotificationFaultAsync(new { mode = "reorder", out_trade_no = outTradeNo, count = 5, delay_ms = 600 });
        await fixture.Control.RefundOutcomeAsync(new { outcome = "success", out_trade_no = outTradeNo, count = 2 });

        await fixture.RefundAsync(outTradeNo, $"{outTradeNo}-1", 100, notifyKey: outTradeNo + "-refunds");
        await fixture.RefundAsync(outTradeNo, $"{outTradeNo}-2", 100, notifyKey: outTradeNo + "-refunds");

        var received = await fixture.Listener.WaitForAsync(outTradeNo + "-refunds", 2);
        received.Select(r => r.Resource(SimFixture.ApiV3Key).GetProperty("out_refund_no").GetString())
            .ShouldBe([$"{outTradeNo}-2", $"{outTradeNo}-1"]);
    }

    [Fact]
    public async Task Clearing_faults_releases_held_notifications_at_once()
    {
        var outTradeNo = await fixture.UnpaidTradeAsync();
        await fixture.Control.NotificationFaultAsync(new { mode = "reorder", out_trade_no = outTradeNo, count = 5, delay_ms = 60_000 });
        await fixture.Control.PayAsync(outTradeNo);
        await Wait.UntilAsync(async () => (await fixture.Control.NotificationsAsync(outTradeNo)).Single().GetProperty("status").GetString() == "held");

        await fixture.Control.SendAsync(HttpMethod.Delete, $"/_sim/faults?out_trade_no={outTradeNo}");

        (await fixture.Listener.WaitForAsync(outTradeNo, 1)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_stale_timestamp_fails_the_merchants_check_and_the_retry_passes()
    {
        var outTradeNo = await fixture.UnpaidTradeAsync();
        await fixture.Control.NotificationFaultAsync(new { mode = "stale_timestamp", out_trade_no = outTradeNo });
        fixture.Listener.Answer(outTradeNo, 401);

        await fixture.Control.PayAsync(outTradeNo);

        var received = await fixture.Listener.WaitForAsync(outTradeNo, 2);
        var stale = long.Parse(received[0].Header("Wechatpay-Timestamp"), CultureInfo.InvariantCulture);
        (DateTimeOffset.UtcNow.ToUnixTimeSeconds() - stale).ShouldBeGreaterThan(500);
        fixture.Verifier.Verifies(received[0].Headers, received[0].Raw).ShouldBeFalse();
        fixture.Verifier.Verifies(received[1].Headers, received[1].Raw).ShouldBeTrue();
        var attempts = (await fixture.Control.NotificationsAsync(outTradeNo)).Single().GetProperty("attempts");
        attempts[0].GetProperty("signature").GetString().ShouldBe("stale_timestamp");
        attempts[0].GetProperty("http_status").GetInt32().ShouldBe(401);
    }

    [Fact]
    public async Task A_bad_signature_fails_the_merchants_check_and_the_retry_passes()
    {
        var outTradeNo = await fixture.UnpaidTradeAsync();
        await fixture.Control.NotificationFaultAsync(new { mode = "bad_signature", out_trade_no = outTradeNo });
        fixture.Listener.Answer(outTradeNo, 401);

        await fixture.Control.PayAsync(outTradeNo);

        var received = await fixture.Listener.WaitForAsync(outTradeNo, 2);
        received[0].Text.ShouldBe(received[1].Text);
        fixture.Verifier.Verifies(received[0].Headers, received[0].Raw).ShouldBeFalse();
        fixture.Verifier.Verifies(received[1].Headers, received[1].Raw).ShouldBeTrue();
    }

    [Fact]
    public async Task A_sticky_fault_applies_until_cleared()
    {
        var outTradeNo = await fixture.PaidTradeAsync();
        await fixture.Listener.WaitForAsync(outTradeNo, 1);
        await fixture.Control.NotificationFaultAsync(new { mode = "drop", out_trade_no = outTradeNo, sticky = true });
        await fixture.Control.RefundOutcomeAsync(new { outcome = "success", out_trade_no = outTradeNo, sticky = true });
        await fixture.RefundAsync(outTradeNo, $"{outTradeNo}-1", 100, notifyKey: outTradeNo + "-refunds");
        await fixture.RefundAsync(outTradeNo, $"{outTradeNo}-2", 100, notifyKey: outTradeNo + "-refunds");

        await fixture.Control.SendAsync(HttpMethod.Delete, $"/_sim/faults?out_trade_no={outTradeNo}");
        await fixture.Control.RefundOutcomeAsync(new { outcome = "success", out_trade_no = outTradeNo });
        await fixture.RefundAsync(outTradeNo, $"{outTradeNo}-3", 100, notifyKey: outTradeNo + "-refunds");

        var received = await fixture.Listener.WaitForAsync(outTradeNo + "-refunds", 1);
        received.Single().Resource(SimFixture.ApiV3Key).GetProperty("out_refund_no").GetString().ShouldBe($"{outTradeNo}-3");
        await Wait.UntilAsync(async () => (await RefundStatusesAsync(outTradeNo)).Last() == "delivered");
        (await RefundStatusesAsync(outTradeNo)).ShouldBe(["dropped", "dropped", "delivered"]);
    }

    [Fact]
    public async Task A_fault_scoped_to_one_trade_spares_the_others()
    {
        var faulty = await fixture.UnpaidTradeAsync();
        var healthy = await fixture.UnpaidTradeAsync();
        await fixture.Control.NotificationFaultAsync(new { mode = "drop", out_trade_no = faulty, count = 5 });

        await fixture.Control.PayAsync(healthy);

        (await fixture.Listener.WaitForAsync(healthy, 1)).Count.ShouldBe(1);
        (await fixture.Control.GetAsync("/_sim/faults")).GetProperty("notification").EnumerateArray()
            .Single(f => f.GetProperty("out_trade_no").GetString() == faulty).GetProperty("remaining").GetInt32().ShouldBe(5);
    }

    [Fact]
    public async Task Delivery_gives_up_after_the_maximum_attempts()
    {
        await fixture.Control.PutAsync("/_sim/settings", new { notify_max_attempts = 3 });
        var outTradeNo = await fixture.UnpaidTradeAsync();
        fixture.Listener.Answer(outTradeNo, 500, 500, 500, 500, 500);

        await fixture.Control.PayAsync(outTradeNo);

        await Wait.UntilAsync(async () => (await fixture.Control.NotificationsAsync(outTradeNo)).Single().GetProperty("status").GetString() == "failed");
        await fixture.Control.PutAsync("/_sim/settings", new { notify_max_attempts = 16 });
        await Task.Delay(200);
        fixture.Listener.For(outTradeNo).Count.ShouldBe(3);
    }

    [Fact]
    public async Task A_probe_claims_a_payment_under_a_SIGNTEST_signature_and_changes_nothing()
    {
        var outTradeNo = await fixture.UnpaidTradeAsync();
        fixture.Listener.Answer("probe", 401);

        var probe = await fixture.Control.PostAsync("/_sim/probes", new { url = fixture.Listener.UrlFor("probe"), out_trade_no = outTradeNo });

        probe.GetProperty("http_status").GetInt32().ShouldBe(401);
        var received = fixture.Listener.For("probe").Single();
        received.Header("Wechatpay-Signature").ShouldStartWith("WECHATPAY/SIGNTEST/");
        fixture.Verifier.Verifies(received.Headers, received.Raw).ShouldBeFalse();
        var claim = received.Resource(SimFixture.ApiV3Key);
        claim.GetProperty("out_trade_no").GetString().ShouldBe(outTradeNo);
        claim.GetProperty("trade_state").GetString().ShouldBe("SUCCESS");
        (await fixture.QueryAsync(outTradeNo)).Field("trade_state").ShouldBe("NOTPAY");
        (await fixture.Control.GetAsync("/_sim/probes")).EnumerateArray().ShouldContain(p => p.GetProperty("url").GetString() == fixture.Listener.UrlFor("probe"));
    }

    private async Task<List<string?>> RefundStatusesAsync(string outTradeNo) =>
        (await fixture.Control.GetAsync($"/_sim/notifications?out_trade_no={outTradeNo}&event_type=REFUND")).EnumerateArray()
            .Select(n => n.GetProperty("status").GetString()).ToList();
}
