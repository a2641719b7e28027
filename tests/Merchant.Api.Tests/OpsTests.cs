using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Merchant.Api.Ops;

namespace Merchant.Api.Tests;

public sealed class OpsTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(45);
    private Stack _stack = null!;

    public async Task InitializeAsync() => _stack = await Stack.StartAsync(new Dictionary<string, string?>
    {
        ["Dispense:AttentionAfter"] = "00:00:06",
    });

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task A_line_the_device_never_answers_for_needs_attention_and_ops_can_refund_it()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        await _stack.Simulator.SettingsAsync(new(null, 3600, null, null));
        await _stack.Simulator.FailNextDispensesAsync(machine.MachineNo, 1, mode: "timeout");
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));

        await _stack.PayAsync(trade.TradeId);
        var stuck = await _stack.WaitForAsync(trade.TradeId, Within, "needs_attention");
        var summary = await _stack.Api.Ops.GetFromJsonAsync<Summary>("/api/v1/ops/summary", Stack.Json);
        var refund = await _stack.Api.Ops.PostAsync($"/api/v1/ops/trades/{trade.TradeId}/lines/1/refund", null);
        var refunded = await _stack.WaitForAsync(trade.TradeId, Within, "refunded");
        await _stack.Simulator.SettingsAsync(new(null, 120, null, null));

        stuck.Lines.Single().Status.ShouldBe("needs_attention");
        stuck.RefundedAmount.ShouldBe("0.00");
        summary!.Stuck.LinesNeedingAttention.ShouldBeGreaterThanOrEqualTo(1);
        refund.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        refunded.RefundedAmount.ShouldBe("1.00");
        (await _stack.Simulator.CommandsAsync(machine.MachineNo)).Commands.Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_device_timeout_reported_by_the_platform_is_refunded_by_policy()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        await _stack.Simulator.FailNextDispensesAsync(machine.MachineNo, 1, mode: "timeout");
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 2));

        await _stack.PayAsync(trade.TradeId);
        await WaitForCommandAsync(machine.MachineNo);
        await _stack.Simulator.AdvanceClockAsync(TimeSpan.FromSeconds(125));
        var done = await _stack.WaitForAsync(trade.TradeId, Within, "partially_refunded");

        done.RefundedAmount.ShouldBe("1.00");
        done.Lines.Count(l => l.Status == "refunded").ShouldBe(1);
    }

    [Fact]
    public async Task The_timeline_shows_every_step_and_reconcile_reads_the_platform_again()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        await _stack.PayAsync(trade.TradeId);
        await _stack.WaitForAsync(trade.TradeId, Within, "completed");

        var reconciled = await _stack.Api.Ops.PostAsync($"/api/v1/ops/trades/{trade.TradeId}/reconcile", null);
        var detail = await _stack.DetailAsync(trade.TradeId);

        reconciled.StatusCode.ShouldBe(HttpStatusCode.OK);
        detail.Trade.Status.ShouldBe("completed");
        var kinds = detail.Timeline.Select(e => e.Kind).ToList();
        kinds.ShouldContain("transition");
        kinds.ShouldContain("platform_call");
        kinds.ShouldContain("payment");
        kinds.ShouldContain("callback");
        detail.Timeline.ShouldContain(e => e.Summary.Contains("reconcile"));
        detail.Timeline.ShouldContain(e => e.Summary.Contains("dispense line 1") && e.DurationMs != null);
    }

    [Fact]
    public async Task Metrics_are_readable_without_a_collector()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        await _stack.PayAsync(trade.TradeId);
        await _stack.WaitForAsync(trade.TradeId, Within, "completed");

        var metrics = (await _stack.Api.Ops.GetFromJsonAsync<List<Telemetry.MetricView>>("/api/v1/ops/metrics", Stack.Json))!;

        metrics.ShouldContain(m => m.Name == "merchant.checkouts" && m.Tags == "outcome=created" && m.Value >= 1);
        metrics.ShouldContain(m => m.Name == "merchant.payments" && m.Tags == "outcome=succeeded");
        metrics.ShouldContain(m => m.Name == "merchant.dispenses" && m.Tags.Contains("outcome=Dispensed"));
        metrics.ShouldContain(m => m.Name == "merchant.platform.call.duration" && m.Tags.Contains("endpoint=POST /deliveries") && m.P99 != null);
        metrics.ShouldContain(m => m.Name == "merchant.job.duration" && m.Tags.Contains("kind=dispense_line"));
        metrics.ShouldContain(m => m.Name == "merchant.jobs.queue.depth" && m.Kind == "gauge");
    }

    [Fact]
    public async Task Trades_can_be_listed_newest_first_and_filtered()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        var first = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        var second = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        (await _stack.Api.Storefront.PostAsync($"/api/v1/trades/{first.TradeId}/cancel", null)).EnsureSuccessStatusCode();

        var all = await _stack.Api.Ops.GetFromJsonAsync<TradePage>($"/api/v1/ops/trades?machine_no={machine.MachineNo}", Stack.Json);
        var cancelled = await _stack.Api.Ops.GetFromJsonAsync<TradePage>($"/api/v1/ops/trades?machine_no={machine.MachineNo}&status=cancelled", Stack.Json);
        var bad = await _stack.Api.Ops.GetAsync("/api/v1/ops/trades?status=nonsense");

        all!.Items.Select(t => t.TradeId).ShouldBe([second.TradeId, first.TradeId]);
        cancelled!.Items.ShouldHaveSingleItem().TradeId.ShouldBe(first.TradeId);
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString().ShouldBe("validation_failed");
    }

    [Fact]
    public async Task Jobs_that_gave_up_are_listed_and_can_be_retried_once()
    {
        long jobId;
        await using (var db = new Npgsql.NpgsqlConnection(_stack.ConnectionString))
        {
            await db.OpenAsync();
            await using var insert = new Npgsql.NpgsqlCommand(
                "INSERT INTO jobs (kind, trade_id, status, run_at, deadline, attempts, last_error, created_at, updated_at) "
                + "VALUES ('close_payment', 'no-such-trade', 'failed', now(), now(), 9, 'gave up in a test', now(), now()) RETURNING job_id", db);
            jobId = (long)(await insert.ExecuteScalarAsync())!;
        }

        var failed = await _stack.Api.Ops.GetFromJsonAsync<List<JobView>>("/api/v1/ops/jobs?status=failed", Stack.Json);
        var retry = await _stack.Api.Ops.PostAsync($"/api/v1/ops/jobs/{jobId}/retry", null);
        var again = await _stack.Api.Ops.PostAsync($"/api/v1/ops/jobs/{jobId}/retry", null);

        failed!.ShouldContain(j => j.JobId == jobId && j.LastError == "gave up in a test");
        retry.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString().ShouldBe("job_not_failed");
    }

    private async Task WaitForCommandAsync(string machineNo)
    {
        for (var i = 0; i < 100 && (await _stack.Simulator.CommandsAsync(machineNo)).Commands.Count == 0; i++)
        {
            await Task.Delay(100);
        }
    }
}
