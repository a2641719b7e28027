using Merchant.Api.Trades;
using Merchant.Reliability.Tests.Infrastructure;
using Merchant.Testing;
using Npgsql;

namespace Merchant.Reliability.Tests;

/// <summary>
/// The checker itself: quiet on a clean run, and every rule reports the violation planted for it — in the database, in
/// the provider's books, or in the platform's own log (commands sent straight to the simulator, as a merchant breaking
/// the rules would). A rule that stops firing turns its own case red.
/// </summary>
public sealed class InvariantCheckerTests(InvariantCheckerTests.Planted planted) : IClassFixture<InvariantCheckerTests.Planted>
{
    public static TheoryData<string> Rules => [.. Planted.Rules];

    [Fact]
    public void A_clean_run_passes_every_rule()
    {
        planted.Clean.Violations.ShouldBeEmpty();
        planted.Clean.Commands.ShouldBe(14);
        planted.Clean.TradesByStatus.GetValueOrDefault("completed").ShouldBe(4);
        planted.Clean.TradesByStatus.GetValueOrDefault("refunded").ShouldBe(5);
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Each_rule_reports_the_violation_planted_for_it(string rule)
    {
        var subject = planted.Subjects[rule];

        var reported = planted.Report.Violations.Where(v => v.Rule == rule).ToList();

        reported.ShouldContain(v => v.Subject == subject,
            $"[{rule}] was not reported for {subject}; it reported: {string.Join(" | ", reported)}");
    }

    [Fact]
    public void Escalating_everything_fails_the_check_while_an_escalation_the_provider_justifies_passes()
    {
        var unjustified = planted.Report.Violations.Where(v => v.Rule == "attention_unjustified").Select(v => v.Subject).ToList();

        unjustified.ShouldContain($"trade {planted.EscalatedEverything} line 1");
        unjustified.ShouldContain($"trade {planted.EscalatedEverything} line 2");
        unjustified.ShouldContain($"trade {planted.EscalatedWholeTrade}");
        planted.Report.Violations.ShouldNotContain(v => v.Subject.Contains(planted.RefundRefused, StringComparison.Ordinal));
        planted.Report.Escalated.ShouldContain(e => e.StartsWith($"trade {planted.RefundRefused} ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_refund_the_provider_has_not_paid_is_pending_until_its_deadline_then_overdue()
    {
        planted.Report.PendingRefunds.ShouldContain(p => p.StartsWith($"{planted.RefundPending}-1:", StringComparison.Ordinal));
        planted.Report.Violations.ShouldNotContain(v => v.Subject.Contains(planted.RefundPending, StringComparison.Ordinal));
        planted.Report.Violations.ShouldContain(v => v.Rule == "refund_overdue" && v.Subject == $"refund key {planted.RefundOverdue}-1");
    }

    /// <summary>A clean run, then one planted violation per rule; checked once, as if the load had ended 5 minutes ago.</summary>
    public sealed class Planted : IAsyncLifetime
    {
        public static readonly string[] Rules =
        [
            "one_command_per_line", "command_to_busy_machine", "command_before_paid", "command_for_unknown_line", "command_for_unsent_line",
            "dispensed_without_payment", "machine_overlap", "lines_dispensing_at_once", "refund_for_dispensed_item", "line_disagrees_with_platform",
            "failed_pickup_not_escalated", "failed_item_not_refunded_once", "dispensed_without_platform_success", "refund_without_evidence",
            "refunded_line_not_paid_once", "refunded_more_than_paid", "refunded_amount_mismatch", "payout_without_refund",
            "provider_refunded_more_than_paid", "provider_kept_more_than_dispensed", "provider_kept_less_than_dispensed", "refund_overdue",
            "trade_not_settled", "attention_without_reason", "trade_disagrees_with_lines", "payment_lost", "attention_unjustified",
            "callback_applied_twice", "callback_never_applied", "notification_never_applied", "transition_taken_twice", "line_claimed_twice",
        ];

        private static readonly TimeSpan Within = TimeSpan.FromSeconds(40);
        private Rig _rig = null!;

        public CheckReport Clean { get; private set; } = null!;

        public CheckReport Report { get; private set; } = null!;

        public Dictionary<string, string> Subjects { get; } = [];

        public string EscalatedEverything { get; private set; } = "";

        public string EscalatedWholeTrade { get; private set; } = "";

        public string RefundRefused { get; private set; } = "";

        public string RefundPending { get; private set; } = "";

        public string RefundOverdue { get; private set; } = "";

        public async Task InitializeAsync()
        {
            _rig = await Rig.StartAsync(databasePrefix: "checker");
            var sim = _rig.Simulator;
            var shop = _rig.Shop;

            // The clean run: one trade with a failed line (m0), four on m1 that complete, five whose only line fails and is
            // refunded, three on m2 left unpaid. A failed dispense takes its slot out of sale (slot health), so every trade
            // with a failure has a machine of its own.
            var m1 = await sim.CreateMachineAsync(products: 2, price: "2.50");
            var m2 = await sim.CreateMachineAsync(products: 1, price: "1.00");
            var m0 = await FailingMachineAsync(products: 2, price: "2.50");
            var mixed = await PaidAsync(m0.MachineNo, "partially_refunded", (m0.Products[0].ProductId, 1), (m0.Products[1].ProductId, 2));
            var whole = await PaidAsync(m1.MachineNo, "completed", (m1.Products[0].ProductId, 2));
            var everything = await PaidAsync(m1.MachineNo, "completed", (m1.Products[1].ProductId, 2));
            var single = await PaidAsync(m1.MachineNo, "completed", (m1.Products[1].ProductId, 1));
            var wholeTrade = await PaidAsync(m1.MachineNo, "completed", (m1.Products[0].ProductId, 1));
            var failed = new List<TradeResponse>();
            for (var i = 0; i < 5; i++)
            {
                var failing = await FailingMachineAsync(products: 1, price: "1.00");
                failed.Add(await PaidAsync(failing.MachineNo, "refunded", (failing.Products[0].ProductId, 1)));
            }

            var unpaid = await shop.CheckoutOkAsync(m2.MachineNo, (m2.Products[0].ProductId, 1));
            var unpaidWithRefund = await shop.CheckoutOkAsync(m2.MachineNo, (m2.Products[0].ProductId, 1));
            var unsent = await shop.CheckoutOkAsync(m2.MachineNo, (m2.Products[0].ProductId, 1));
            Clean = await _rig.VerifyAsync("checker self-test (clean)");
            // The service stops here, so what is planted stays as planted until the check: its 3-second sweep would apply
            // the planted callback and notification (a race the self-test lost on a busy machine).
            await _rig.Api.DisposeAsync();

            await PlantInThePlatformLogAsync(whole, unsent);
            await PlantInTheDatabaseAsync(mixed, whole, everything, single, wholeTrade, failed, unpaid, unpaidWithRefund);
            Report = await _rig.Checker().CheckAsync(loadEnded: DateTimeOffset.UtcNow - TimeSpan.FromMinutes(5));
        }

        public async Task DisposeAsync() => await _rig.DisposeAsync();

        // What a merchant breaking the rules would leave in the platform's own log.
        private async Task PlantInThePlatformLogAsync(TradeResponse whole, TradeResponse unsent)
        {
            var sim = _rig.Simulator;
            using var platform = new PlatformDriver(sim);

            // A second command for a record already dispensed: the platform refuses it, its log keeps it.
            var wholeRecords = (await sim.OrderAsync(whole.PlatformOrderId!.Value)).Records;
            (await platform.DispenseAsync(whole.MachineNo, whole.PlatformOrderId.Value, wholeRecords[0].RecordId)).ShouldBe(40006);
            Subjects["one_command_per_line"] = $"order {whole.PlatformOrderId} record {wholeRecords[0].RecordId}";

            // A command to a machine still locked by a silent device, and one for an order never marked paid.
            var locked = await sim.CreateMachineAsync(products: 1, lockSeconds: 600);
            await sim.FailNextDispensesAsync(locked.MachineNo, 1, mode: "timeout");
            var (busyOrder, busyRecords) = await platform.CreateOrderAsync(locked.MachineNo, locked.Products[0].ProductId, locked.Products[0].ProductId);
            await platform.MarkPaidAsync(locked.MachineNo, busyOrder);
            (await platform.DispenseAsync(locked.MachineNo, busyOrder, busyRecords[0])).ShouldBe(0);
            (await platform.DispenseAsync(locked.MachineNo, busyOrder, busyRecords[1])).ShouldBe(30005);
            Subjects["command_to_busy_machine"] = $"machine {locked.MachineNo}";
            Subjects["command_for_unknown_line"] = $"order {busyOrder} record {busyRecords[0]}";
            var (unpaidOrder, unpaidRecords) = await platform.CreateOrderAsync(locked.MachineNo, locked.Products[0].ProductId);
            (await platform.DispenseAsync(locked.MachineNo, unpaidOrder, unpaidRecords[0])).ShouldBe(0);
            Subjects["command_before_paid"] = $"order {unpaidOrder} record {unpaidRecords[0]}";

            // Two commands at once on a machine whose lock is shorter than a run.
            var loose = await sim.CreateMachineAsync(products: 1, lockSeconds: 0);
            await sim.SetResultDelayAsync(loose.MachineNo, 1500);
            var (overlapOrder, overlapRecords) = await platform.CreateOrderAsync(loose.MachineNo, loose.Products[0].ProductId, loose.Products[0].ProductId);
            await platform.MarkPaidAsync(loose.MachineNo, overlapOrder);
            (await platform.DispenseAsync(loose.MachineNo, overlapOrder, overlapRecords[0])).ShouldBe(0);
            (await platform.DispenseAsync(loose.MachineNo, overlapOrder, overlapRecords[1])).ShouldBe(0);
            await Eventually.HoldsAsync(async () => (await sim.CommandsAsync(loose.MachineNo)).Commands.All(c => c.Outcome is not null),
                Within, "both overlapping commands finished");
            Subjects["machine_overlap"] = $"machine {loose.MachineNo}";

            // Our own unpaid trade, marked paid and dispensed behind the service's back.
            var unsentRecord = (await sim.OrderAsync(unsent.PlatformOrderId!.Value)).Records[0].RecordId;
            await platform.MarkPaidAsync(unsent.MachineNo, unsent.PlatformOrderId.Value);
            (await platform.DispenseAsync(unsent.MachineNo, unsent.PlatformOrderId.Value, unsentRecord)).ShouldBe(0);
            Subjects["command_for_unsent_line"] = $"trade {unsent.TradeId} line 1";
            Subjects["dispensed_without_payment"] = $"trade {unsent.TradeId} line 1";
        }

        private async Task PlantInTheDatabaseAsync(TradeResponse mixed, TradeResponse whole, TradeResponse everything, TradeResponse single,
            TradeResponse wholeTrade, List<TradeResponse> failed, TradeResponse unpaid, TradeResponse unpaidWithRefund)
        {
            var (refundGone, pickup, overdue, pending, refused) = (failed[0].TradeId, failed[1].TradeId, failed[2].TradeId, failed[3].TradeId, failed[4].TradeId);
            var wholeRecord = (await _rig.Simulator.OrderAsync(whole.PlatformOrderId!.Value)).Records[0].RecordId;
            const string Stuck = "29990101000000000000000001";
            const string Racing = "29990101000000000000000002";
            const string NoReason = "29990101000000000000000003";
            const string Lost = "29990101000000000000000004";
            const string Stranger = "29990101000000000000000005";
            await ExecuteAsync($"""
                -- The provider paid back a dispensed item (and our books say so for a line that is dispensed).
                INSERT INTO refunds (refund_key, trade_id, line_id, amount_fen, reason, status, created_at, completed_at)
                VALUES ('{whole.TradeId}-1', '{whole.TradeId}', 1, 250, 'planted', 'succeeded', now(), now());
                INSERT INTO sandbox_refunds (refund_key, payment_id, refund_id, amount_fen, created_at)
                VALUES ('{whole.TradeId}-1', 'sbx_{whole.TradeId}', 'planted-1', 250, now()),
                       ('stray-key', 'sbx_{single.TradeId}', 'planted-2', 100, now());
                -- A trade claiming completion with a refunded line, whose refunds exceed its amount.
                UPDATE trades SET status = 'completed', amount_fen = 100 WHERE trade_id = '{mixed.TradeId}';
                -- A dispensed line we call refunded; a dispense job twice for it.
                UPDATE trade_lines SET status = 'refunded' WHERE trade_id = '{single.TradeId}';
                INSERT INTO jobs (kind, trade_id, line_id, status, run_at, deadline, attempts, created_at, updated_at)
                SELECT kind, trade_id, line_id, status, run_at, deadline, attempts, created_at, updated_at FROM jobs
                WHERE kind = 'dispense_line' AND trade_id = '{single.TradeId}';
                -- A callback applied twice, a transition taken twice.
                INSERT INTO platform_callbacks (trade_id, received_at, body, processed_at, outcome)
                SELECT trade_id, received_at, body, processed_at, outcome FROM platform_callbacks
                WHERE trade_id = '{whole.TradeId}' AND outcome = 'applied' AND body::jsonb ->> 'record_id' = '{wholeRecord}';
                INSERT INTO trade_events (trade_id, at, kind, actor, line_id, summary, outcome)
                SELECT trade_id, at, kind, actor, line_id, summary, outcome FROM trade_events
                WHERE trade_id = '{whole.TradeId}' AND line_id = 2 AND kind = 'transition' AND summary LIKE '%→ dispensed%';
                -- A failed line refunded by us but never by the provider; a failed pickup refunded instead of escalated.
                DELETE FROM sandbox_refunds WHERE refund_key = '{refundGone}-1';
                UPDATE trades SET kind = 'pickup' WHERE trade_id = '{pickup}';
                -- A refund the provider took two days ago and still has not paid; one it took a moment ago.
                UPDATE sandbox_refunds SET status = 'processing', created_at = now() - interval '2 days', settle_at = now() + interval '1 day'
                WHERE refund_key = '{overdue}-1';
                UPDATE sandbox_refunds SET status = 'processing', settle_at = now() + interval '1 day' WHERE refund_key = '{pending}-1';
                UPDATE refunds SET status = 'requested', completed_at = NULL WHERE refund_key IN ('{overdue}-1', '{pending}-1');
                UPDATE trade_lines SET status = 'refunding' WHERE trade_id IN ('{overdue}', '{pending}');
                UPDATE trades SET status = 'refunding' WHERE trade_id IN ('{overdue}', '{pending}');
                -- Justified: the provider closed the refund of a failed line, which waits for a person.
                DELETE FROM sandbox_refunds WHERE refund_key = '{refused}-1';
                UPDATE refunds SET status = 'closed' WHERE refund_key = '{refused}-1';
                UPDATE trade_lines SET status = 'needs_attention' WHERE trade_id = '{refused}';
                UPDATE trades SET status = 'needs_attention', status_reason = 'line 1: refund closed by sandbox' WHERE trade_id = '{refused}';
                INSERT INTO trade_events (trade_id, at, kind, actor, line_id, summary, outcome)
                VALUES ('{refused}', now(), 'transition', 'provider', 1, 'line 1: failed → needs_attention (escalate)', 'refund closed by sandbox');
                -- Escalate everything: dispensed lines and a completed trade handed to a person, with reasons.
                UPDATE trade_lines SET status = 'needs_attention' WHERE trade_id = '{everything.TradeId}';
                UPDATE trades SET status = 'needs_attention', status_reason = 'escalated, to be safe' WHERE trade_id IN ('{everything.TradeId}', '{wholeTrade.TradeId}');
                -- A line we call dispensed that was never sent; a refund of a line never paid for.
                UPDATE trade_lines SET status = 'dispensed' WHERE trade_id = '{unpaid.TradeId}';
                INSERT INTO refunds (refund_key, trade_id, line_id, amount_fen, reason, status, created_at)
                VALUES ('{unpaidWithRefund.TradeId}-1', '{unpaidWithRefund.TradeId}', 1, 100, 'planted', 'pending', now());
                -- A trade paid at the very end of the load and stuck dispensing; two lines dispensing at once on a machine.
                DROP INDEX ux_trade_lines_one_dispensing_per_machine;
                INSERT INTO trades (trade_id, kind, machine_no, status, amount_fen, currency, created_at, paid_at, updated_at)
                VALUES ('{Stuck}', 'purchase', '99999998', 'dispensing', 100, 'CNY', now(), now(), now()),
                       ('{Racing}', 'purchase', '99999999', 'dispensing', 200, 'CNY', now(), now(), now()),
                       ('{NoReason}', 'purchase', '99999997', 'needs_attention', 100, 'CNY', now(), now(), now()),
                       ('{Lost}', 'purchase', '99999996', 'cancelled', 100, 'CNY', now(), NULL, now());
                INSERT INTO trade_lines (trade_id, line_id, machine_no, product_id, name, price_fen, quantity, status)
                VALUES ('{Stuck}', 1, '99999998', 1, 'planted', 100, 1, 'dispensing'),
                       ('{Racing}', 1, '99999999', 1, 'planted', 100, 1, 'dispensing'),
                       ('{Racing}', 2, '99999999', 1, 'planted', 100, 1, 'dispensing'),
                       ('{NoReason}', 1, '99999997', 1, 'planted', 100, 1, 'needs_attention'),
                       ('{Lost}', 1, '99999996', 1, 'planted', 100, 1, 'cancelled');
                -- A payment the customer made to a cancelled trade; a refund of more than a payment.
                INSERT INTO sandbox_payments (payment_id, trade_id, amount_fen, status, created_at, updated_at)
                VALUES ('sbx_{Lost}', '{Lost}', 100, 'paid', now(), now()),
                       ('sbx_{Stranger}', '{Stranger}', 100, 'paid', now(), now());
                INSERT INTO sandbox_refunds (refund_key, payment_id, refund_id, amount_fen, created_at)
                VALUES ('{Stranger}-1', 'sbx_{Stranger}', 'planted-3', 300, now());
                """);
            var callback = await ExecuteAsync($"""
                INSERT INTO platform_callbacks (trade_id, received_at, body) VALUES ('{whole.TradeId}', now() - interval '1 hour', jsonb_build_object()::text)
                RETURNING callback_id
                """);
            var notification = await ExecuteAsync($"""
                INSERT INTO payment_notifications (provider, event_id, trade_id, raw, body, received_at)
                VALUES ('sandbox', 'planted', '{whole.TradeId}', jsonb_build_object()::text, jsonb_build_object(), now() - interval '1 hour')
                RETURNING notification_id
                """);

            Subjects["lines_dispensing_at_once"] = "machine 99999999";
            Subjects["refund_for_dispensed_item"] = $"trade {whole.TradeId} line 1";
            Subjects["line_disagrees_with_platform"] = $"trade {single.TradeId} line 1";
            Subjects["failed_pickup_not_escalated"] = $"trade {pickup} line 1";
            Subjects["failed_item_not_refunded_once"] = $"trade {refundGone} line 1";
            Subjects["dispensed_without_platform_success"] = $"trade {unpaid.TradeId} line 1";
            Subjects["refund_without_evidence"] = $"trade {unpaidWithRefund.TradeId} line 1";
            Subjects["refunded_line_not_paid_once"] = $"trade {single.TradeId} line 1";
            Subjects["refunded_more_than_paid"] = $"trade {mixed.TradeId}";
            Subjects["refunded_amount_mismatch"] = $"trade {whole.TradeId}";
            Subjects["payout_without_refund"] = "refund key stray-key";
            Subjects["provider_refunded_more_than_paid"] = $"trade {Stranger}";
            Subjects["provider_kept_more_than_dispensed"] = $"trade {refundGone}";
            Subjects["provider_kept_less_than_dispensed"] = $"trade {whole.TradeId}";
            Subjects["refund_overdue"] = $"refund key {overdue}-1";
            Subjects["trade_not_settled"] = $"trade {Stuck}";
            Subjects["attention_without_reason"] = $"trade {NoReason}";
            Subjects["trade_disagrees_with_lines"] = $"trade {mixed.TradeId}";
            Subjects["payment_lost"] = $"trade {Lost}";
            Subjects["attention_unjustified"] = $"trade {everything.TradeId} line 1";
            Subjects["callback_applied_twice"] = $"trade {whole.TradeId} record {wholeRecord}";
            Subjects["callback_never_applied"] = $"callback {callback}";
            Subjects["notification_never_applied"] = $"notification {notification}";
            Subjects["transition_taken_twice"] = $"trade {whole.TradeId} line 2";
            Subjects["line_claimed_twice"] = $"trade {single.TradeId} line 1";
            EscalatedEverything = everything.TradeId;
            EscalatedWholeTrade = wholeTrade.TradeId;
            RefundRefused = refused;
            RefundPending = pending;
            RefundOverdue = overdue;
        }

        // A machine whose first dispense fails.
        private async Task<Vending.Platform.Simulator.Control.MachineView> FailingMachineAsync(int products, string price)
        {
            var machine = await _rig.Simulator.CreateMachineAsync(products: products, price: price);
            await _rig.Simulator.FailNextDispensesAsync(machine.MachineNo, 1);
            return machine;
        }

        private async Task<TradeResponse> PaidAsync(string machineNo, string settles, params (long ProductId, int Quantity)[] items)
        {
            var trade = await _rig.Shop.CheckoutOkAsync(machineNo, items);
            await _rig.Shop.PayAsync(trade.TradeId);
            return await _rig.Shop.WaitForAsync(trade.TradeId, Within, settles);
        }

        private async Task<object?> ExecuteAsync(string sql)
        {
            await using var connection = new NpgsqlConnection(_rig.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            return await command.ExecuteScalarAsync();
        }
    }
}
