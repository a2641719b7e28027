using System.Net;
using System.Text;
using System.Text.Json;
using Merchant.Api.Hosting;
using Merchant.Api.PlatformNotify;
using Merchant.Reliability.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Merchant.Reliability.Tests.Hostile;

/// <summary>
/// The notify URL is the only thing authenticating a callback (the platform signs nothing). Forged tokens, another
/// trade's token and records of another order are refused with 404 and change nothing, while a line is in flight.
/// </summary>
[Collection("edges")]
public sealed class CallbackForgeryTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(40);
    private readonly NotifyTokens _tokens = new(Options.Create(new MerchantOptions { NotifySecret = HostSettings.NotifySecret }));
    private Rig _rig = null!;

    public async Task InitializeAsync() => _rig = await Rig.StartAsync(databasePrefix: "forgery");

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task Forged_and_mismatched_callbacks_are_404_and_change_nothing_while_a_line_is_in_flight()
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 2, lockSeconds: 10);
        var otherMachine = await _rig.Simulator.CreateMachineAsync(products: 1);
        // The victim's first item is on the machine and its device stays silent: a forged result could settle it.
        await _rig.Simulator.FailNextDispensesAsync(machine.MachineNo, 1, mode: "timeout");
        var victim = await _rig.Shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1), (machine.Products[1].ProductId, 1));
        var other = await _rig.Shop.CheckoutOkAsync(otherMachine.MachineNo, (otherMachine.Products[0].ProductId, 1));
        await _rig.Shop.PayAsync(victim.TradeId);
        await _rig.Simulator.WaitForCommandsAsync(machine.MachineNo, 1, Within);
        await _rig.Shop.WaitForAsync(victim.TradeId, Within, "dispensing");
        var victimOrder = await _rig.Simulator.OrderAsync(victim.PlatformOrderId!.Value);
        var otherOrder = await _rig.Simulator.OrderAsync(other.PlatformOrderId!.Value);
        var inFlight = victimOrder.Records[0].RecordId;
        var before = await SnapshotAsync();
        var callbacksBefore = await CallbackRowsAsync();
        var forgedMac = _tokens.For(victim.TradeId)[..^4] + "AAAA";

        var answers = new List<(string What, HttpStatusCode Status)>
        {
            ("forged mac", await PostAsync(forgedMac, Body(victimOrder.OrderId, inFlight, delivered: false))),
            ("forged mac, dispensed", await PostAsync(forgedMac, Body(victimOrder.OrderId, inFlight, delivered: true))),
            ("no mac", await PostAsync(victim.TradeId, Body(victimOrder.OrderId, inFlight, delivered: false))),
            ("empty mac", await PostAsync(victim.TradeId + ".", Body(victimOrder.OrderId, inFlight, delivered: false))),
            ("mac of another secret", await PostAsync(new NotifyTokens(Options.Create(new MerchantOptions { NotifySecret = "guess" })).For(victim.TradeId),
                Body(victimOrder.OrderId, inFlight, delivered: false))),
            ("another trade's token", await PostAsync(_tokens.For(other.TradeId), Body(victimOrder.OrderId, inFlight, delivered: false))),
            ("record of another order", await PostAsync(_tokens.For(victim.TradeId), Body(otherOrder.OrderId, otherOrder.Records[0].RecordId, delivered: false))),
            ("our order, foreign record", await PostAsync(_tokens.For(victim.TradeId), Body(victimOrder.OrderId, otherOrder.Records[0].RecordId, delivered: false))),
            ("token of an unknown trade", await PostAsync(_tokens.For("20990101000000999999999999"), Body(victimOrder.OrderId, inFlight, delivered: true))),
        };
        var after = await SnapshotAsync();
        var callbacksAfter = await CallbackRowsAsync();
        Figures.Fault("callback.forged", answers.Count);

        answers.ShouldAllBe(a => a.Status == HttpStatusCode.NotFound, string.Join(", ", answers.Select(a => $"{a.What}: {(int)a.Status}")));
        after.ShouldBe(before);
        // Forged tokens are refused before anything is stored; a genuine token with a foreign body is kept for audit only.
        callbacksAfter.Count.ShouldBe(callbacksBefore.Count + 4);
        callbacksAfter.Except(callbacksBefore).ShouldAllBe(c => c.EndsWith(":mismatch", StringComparison.Ordinal) || c.EndsWith(":unknown_trade", StringComparison.Ordinal));

        // The device's real outcome (the platform's 120 s fallback) still settles the line, exactly once.
        await _rig.Simulator.AdvanceClockAsync(TimeSpan.FromSeconds(121));
        var done = await _rig.Shop.WaitForAsync(victim.TradeId, Within, "partially_refunded");
        done.Lines.Select(l => l.Status).ShouldBe(["refunded", "dispensed"]);
        (await _rig.Shop.TradeAsync(other.TradeId)).Status.ShouldBe("awaiting_payment");
        await _rig.VerifyAsync(nameof(Forged_and_mismatched_callbacks_are_404_and_change_nothing_while_a_line_is_in_flight));
    }

    [Fact]
    public async Task A_genuine_looking_callback_for_a_line_never_sent_changes_nothing()
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 1);
        var trade = await _rig.Shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 2));
        var order = await _rig.Simulator.OrderAsync(trade.PlatformOrderId!.Value);
        var before = await SnapshotAsync();

        var failed = await PostAsync(_tokens.For(trade.TradeId), Body(order.OrderId, order.Records[0].RecordId, delivered: false));
        var dispensed = await PostAsync(_tokens.For(trade.TradeId), Body(order.OrderId, order.Records[1].RecordId, delivered: true));
        var after = await SnapshotAsync();
        Figures.Fault("callback.unsent_line", 2);

        failed.ShouldBe(HttpStatusCode.OK);
        dispensed.ShouldBe(HttpStatusCode.OK);
        after.ShouldBe(before);
        await _rig.VerifyAsync(nameof(A_genuine_looking_callback_for_a_line_never_sent_changes_nothing));
    }

    private static string Body(long orderId, long recordId, bool delivered) => delivered
        ? $$"""{"method":"device.delivery.response","order_id":{{orderId}},"record_id":{{recordId}},"deliver_status":"1","floor_status":"1"}"""
        : $$"""{"method":"device.delivery.response","order_id":{{orderId}},"record_id":{{recordId}},"floor_status":"2","error_msg":"Goods are Stuck"}""";

    private async Task<HttpStatusCode> PostAsync(string token, string body)
    {
        using var client = _rig.Api.Client(apiKey: null);
        using var response = await client.PostAsync($"/api/v1/platform/notify/{token}", new StringContent(body, Encoding.UTF8, "application/json"));
        if (response.StatusCode != HttpStatusCode.OK)
        {
            response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            json.RootElement.GetProperty("code").GetString().ShouldBe("not_found");
        }

        return response.StatusCode;
    }

    /// <summary>Everything a callback could change: trade and line statuses, refunds, payments, jobs.</summary>
    private async Task<string> SnapshotAsync()
    {
        await using var connection = new NpgsqlConnection(_rig.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT string_agg(x, ' | ' ORDER BY x) FROM (
                SELECT 'trade ' || trade_id || ' ' || status || ' ' || amount_fen AS x FROM trades
                UNION ALL SELECT 'line ' || trade_id || '/' || line_id || ' ' || status || ' ' || coalesce(failure_reason, '') FROM trade_lines
                UNION ALL SELECT 'refund ' || refund_key || ' ' || status FROM refunds
                UNION ALL SELECT 'payment ' || trade_id || ' ' || status FROM payments
                UNION ALL SELECT 'job ' || kind || ' ' || coalesce(trade_id, '') || '/' || coalesce(line_id::text, '') FROM jobs WHERE kind <> 'poll_line') s
            """, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private async Task<List<string>> CallbackRowsAsync()
    {
        await using var connection = new NpgsqlConnection(_rig.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT callback_id || ':' || coalesce(outcome, '') FROM platform_callbacks ORDER BY callback_id", connection);
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
