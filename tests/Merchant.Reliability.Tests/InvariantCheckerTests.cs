using Merchant.Reliability.Tests.Infrastructure;
using Npgsql;

namespace Merchant.Reliability.Tests;

/// <summary>The checker itself: quiet on a clean run, and it names every kind of broken promise planted in the database.</summary>
public sealed class InvariantCheckerTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(40);
    private Rig _rig = null!;

    public async Task InitializeAsync() => _rig = await Rig.StartAsync(databasePrefix: "checker");

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task A_clean_run_passes_and_planted_violations_are_each_reported()
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 2, price: "2.50");
        await _rig.Simulator.FailNextDispensesAsync(machine.MachineNo, 1);
        var mixed = await _rig.Shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1), (machine.Products[1].ProductId, 2));
        var whole = await _rig.Shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 2));
        await _rig.Shop.PayAsync(mixed.TradeId);
        await _rig.Shop.WaitForAsync(mixed.TradeId, Within, "partially_refunded");
        await _rig.Shop.PayAsync(whole.TradeId);
        await _rig.Shop.WaitForAsync(whole.TradeId, Within, "completed");
        var clean = await _rig.VerifyAsync(nameof(A_clean_run_passes_and_planted_violations_are_each_reported));

        // A refund paid for an item the machine dispensed, a trade claiming completion with a refunded line,
        // a callback applied twice, a trade stuck dispensing for an hour, and a payout nobody asked for.
        await ExecuteAsync($"""
            INSERT INTO refunds (refund_key, trade_id, line_id, amount_fen, reason, status, created_at, completed_at)
            VALUES ('{whole.TradeId}-1', '{whole.TradeId}', 1, 250, 'planted', 'succeeded', now(), now());
            INSERT INTO sandbox_refunds (refund_key, payment_id, refund_id, amount_fen, created_at)
            VALUES ('{whole.TradeId}-1', 'sbx_{whole.TradeId}', 'planted', 250, now()),
                   ('stray-key', 'sbx_{whole.TradeId}', 'planted-2', 100, now());
            UPDATE trades SET status = 'completed' WHERE trade_id = '{mixed.TradeId}';
            INSERT INTO platform_callbacks (trade_id, received_at, body, processed_at, outcome)
            SELECT trade_id, received_at, body, processed_at, outcome FROM platform_callbacks
            WHERE trade_id = '{whole.TradeId}' AND outcome = 'applied';
            INSERT INTO trades (trade_id, kind, machine_no, status, amount_fen, currency, created_at, paid_at, updated_at)
            VALUES ('29990101000000000000000001', 'purchase', '{machine.MachineNo}', 'dispensing', 100, 'CNY',
                    now() - interval '1 hour', now() - interval '1 hour', now() - interval '1 hour');
            """);
        var planted = await _rig.Checker().CheckAsync();
        var rules = planted.Violations.Select(v => v.Rule).ToHashSet();

        clean.Violations.ShouldBeEmpty();
        clean.Commands.ShouldBe(5);
        rules.ShouldContain("refund_for_dispensed_item");
        rules.ShouldContain("refunded_amount_mismatch");
        rules.ShouldContain("trade_disagrees_with_lines");
        rules.ShouldContain("callback_applied_twice");
        rules.ShouldContain("trade_not_settled");
        rules.ShouldContain("payout_without_refund");
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_rig.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
