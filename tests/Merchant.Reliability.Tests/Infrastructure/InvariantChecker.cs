using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Merchant.Testing;
using Npgsql;
using Vending.Platform.Simulator.Control;

namespace Merchant.Reliability.Tests.Infrastructure;

/// <summary>One broken promise, with what proves it.</summary>
public sealed record Violation(string Rule, string Subject, string Detail)
{
    public override string ToString() => $"[{Rule}] {Subject}: {Detail}";
}

/// <summary>What a check saw, and what it found wrong.</summary>
public sealed record CheckReport(
    IReadOnlyList<Violation> Violations,
    int Trades,
    IReadOnlyDictionary<string, int> TradesByStatus,
    int Lines,
    int Commands,
    int Callbacks,
    int Refunds)
{
    public string Summary =>
        $"{Trades} trade(s) [{string.Join(", ", TradesByStatus.OrderBy(s => s.Key).Select(s => $"{s.Key} {s.Value}"))}], "
        + $"{Lines} line(s), {Commands} command(s), {Callbacks} callback(s), {Refunds} refund(s), {Violations.Count} violation(s)";

    /// <summary>Fails the test with every violation listed.</summary>
    public void ShouldHoldAll()
    {
        Violations.ShouldBeEmpty($"invariants broken ({Summary}):\n{string.Join("\n", Violations)}");
    }
}

/// <summary>
/// The promise of DESIGN.md checked from the outside after a run: reads the database with raw SQL and the platform's
/// command log (the simulator's /_sim/commands), and reports every place where they show an item dispensed twice,
/// a failed item not refunded exactly once, money refunded for an item that was dispensed, a trade left unsettled past
/// its deadline, a callback that took effect twice, two commands overlapping on one machine, or a line sent twice.
/// </summary>
public sealed class InvariantChecker(string connectionString, HttpClient simulatorControl)
{
    private static readonly string[] Terminal = ["completed", "partially_refunded", "refunded", "cancelled", "expired", "rejected"];
    // `created` is left out: such a trade (a checkout killed mid-call) waits for its 60 s create-order lease, longer than
    // a bounded test waits; the deadline rule below still flags one left past it.
    private static readonly string[] InFlight = ["paid", "dispensing", "refunding"];

    public string Database { get; } = new NpgsqlConnectionStringBuilder(connectionString).Database ?? string.Empty;

    /// <summary>Extra time allowed past each deadline below (scheduling, backoff, sweeps).</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a paid trade may take to settle (dispense every line, refund what failed, or escalate).</summary>
    public TimeSpan SettleBudget { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A trade still `created` (checkout died mid create-order) is rejected once the claim's lease (60 s) runs out.</summary>
    public TimeSpan CreateBudget { get; init; } = TimeSpan.FromSeconds(70);

    /// <summary>Dispense:RefundOnTimeout: whether IS_TIMEOUT lines must be refunded (true) or escalated.</summary>
    public bool RefundOnTimeout { get; init; } = true;

    /// <summary>
    /// Waits (bounded by <paramref name="within"/>) until nothing is in flight — no trade paid/dispensing/refunding,
    /// no failed line waiting for its refund, no unapplied callback, no payment taken but not yet applied — then checks.
    /// </summary>
    public async Task<CheckReport> SettleAndCheckAsync(TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await InFlightAsync() == 0)
                {
                    break;
                }
            }
            catch (NpgsqlException)
            {
                // The database may be coming back from a restart.
            }

            await Task.Delay(250);
        }

        return await CheckAsync();
    }

    public async Task<long> InFlightAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT (SELECT count(*) FROM trades WHERE status = ANY($1))
                 + (SELECT count(*) FROM trade_lines WHERE status = 'failed')
                 + (SELECT count(*) FROM refunds r JOIN trade_lines l ON l.trade_id = r.trade_id AND l.line_id = r.line_id
                    WHERE r.status <> 'succeeded' AND l.status <> 'needs_attention')
                 + (SELECT count(*) FROM platform_callbacks WHERE processed_at IS NULL)
                 + (SELECT count(*) FROM sandbox_payments s JOIN trades t ON t.trade_id = s.trade_id
                    WHERE s.status = 'paid' AND t.status IN ('awaiting_payment', 'cancelled', 'expired'))
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = InFlight });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async Task<CheckReport> CheckAsync()
    {
        var data = await LoadAsync();
        var log = (await simulatorControl.GetFromJsonAsync<CommandLogView>("/_sim/commands", SimulatorHost.Json))!;
        var machines = (await simulatorControl.GetFromJsonAsync<List<MachineView>>("/_sim/machines", SimulatorHost.Json))!
            .ToDictionary(m => m.MachineNo);
        var violations = new List<Violation>();
        var now = DateTimeOffset.UtcNow;
        var commands = log.Commands.Where(c => !c.Debug).ToList();

        CheckCommands(data, commands, violations);
        CheckMachines(commands, machines, violations);
        CheckLines(data, commands, violations);
        CheckMoney(data, violations);
        CheckSettled(data, now, violations);
        CheckCallbacksAndClaims(data, violations);

        return new CheckReport(
            violations,
            data.Trades.Count,
            data.Trades.Values.GroupBy(t => t.Status).ToDictionary(g => g.Key, g => g.Count()),
            data.Lines.Count,
            commands.Count,
            data.Callbacks.Count,
            data.Refunds.Count);
    }

    // One command per record, ever; every command concerns a line we sent, of a trade allowed to dispense.
    private static void CheckCommands(Data data, List<CommandView> commands, List<Violation> violations)
    {
        foreach (var group in commands.GroupBy(c => (c.OrderId, c.RecordId)).Where(g => g.Count() > 1))
        {
            violations.Add(new("one_command_per_line", $"order {group.Key.OrderId} record {group.Key.RecordId}",
                $"{group.Count()} dispense commands: {string.Join(", ", group.Select(c => $"#{c.Seq} at {c.IssuedAtReal:HH:mm:ss.fff} → {c.Outcome ?? "running"}"))}"));
        }

        foreach (var command in commands)
        {
            if (!data.LinesByRecord.TryGetValue((command.OrderId, command.RecordId), out var line))
            {
                var owner = command.TradeId is { } id && data.Trades.TryGetValue(id, out var disowned)
                    ? $"trade {id} ({disowned.Status}, platform order {disowned.PlatformOrderId?.ToString(CultureInfo.InvariantCulture) ?? "none"})"
                    : $"trade {command.TradeId ?? "?"} unknown to the database";
                violations.Add(new("command_for_unknown_line", $"order {command.OrderId} record {command.RecordId}",
                    $"command #{command.Seq} on machine {command.MachineNo} matches no line; {owner}"));
                continue;
            }

            var trade = data.Trades[line.TradeId];
            if (line.Status is "pending" or "cancelled")
            {
                violations.Add(new("command_for_unsent_line", Name(line),
                    $"command #{command.Seq} → {command.Outcome ?? "running"}, but the line is {line.Status} (trade {trade.Status})"));
            }

            if (trade.Kind == "purchase" && trade.Status is "created" or "awaiting_payment" or "cancelled" or "expired" or "rejected")
            {
                violations.Add(new("dispensed_without_payment", Name(line), $"command #{command.Seq} for a {trade.Status} trade"));
            }
        }
    }

    // No two commands overlap on a machine: the next is issued only after the previous one finished (or, for a device
    // that never reported, after the machine's lock time).
    private static void CheckMachines(List<CommandView> commands, Dictionary<string, MachineView> machines, List<Violation> violations)
    {
        foreach (var machine in commands.GroupBy(c => c.MachineNo))
        {
            var ordered = machine.OrderBy(c => c.Seq).ToList();
            var lockSeconds = machines.TryGetValue(machine.Key, out var view) ? view.LockSeconds : 0;
            for (var i = 1; i < ordered.Count; i++)
            {
                var previous = ordered[i - 1];
                var next = ordered[i];
                if (previous.Outcome is "success" or "failed" && previous.FinishedAtReal is { } finished)
                {
                    if (next.IssuedAtReal < finished)
                    {
                        violations.Add(new("machine_overlap", $"machine {machine.Key}",
                            $"command #{next.Seq} issued at {next.IssuedAtReal:HH:mm:ss.fff} before #{previous.Seq} finished at {finished:HH:mm:ss.fff}"));
                    }
                }
                else
                {
                    // The device never reported (timeout) or has not yet: the machine is locked for its lock time (simulated clock).
                    var unlock = previous.IssuedAt + TimeSpan.FromSeconds(lockSeconds);
                    if (next.IssuedAt < unlock)
                    {
                        violations.Add(new("machine_overlap", $"machine {machine.Key}",
                            $"command #{next.Seq} issued at sim {next.IssuedAt:HH:mm:ss.fff} while #{previous.Seq} ({previous.Outcome ?? "running"}) held the lock until {unlock:HH:mm:ss.fff}"));
                    }
                }
            }
        }
    }

    // The database agrees with the platform about every line, and what failed is refunded exactly once.
    private void CheckLines(Data data, List<CommandView> commands, List<Violation> violations)
    {
        var byRecord = commands.GroupBy(c => (c.OrderId, c.RecordId)).ToDictionary(g => g.Key, g => g.Last());
        foreach (var line in data.Lines)
        {
            var trade = data.Trades[line.TradeId];
            var refunds = data.Refunds.Where(r => r.TradeId == line.TradeId && r.LineId == line.LineId).ToList();
            var key = $"{line.TradeId}-{line.LineId}";
            var paidOut = data.SandboxRefunds.Where(r => r.RefundKey == key).ToList();
            CommandView? command = null;
            if (trade.PlatformOrderId is { } order && line.PlatformRecordId is { } record)
            {
                byRecord.TryGetValue((order, record), out command);
            }

            switch (command?.Outcome)
            {
                case "success":
                    if (refunds.Count > 0 || paidOut.Count > 0)
                    {
                        violations.Add(new("refund_for_dispensed_item", Name(line),
                            $"the platform dispensed it (command #{command.Seq}) but {refunds.Count} refund row(s), {paidOut.Count} payout(s) exist; line {line.Status}"));
                    }

                    if (line.Status is not ("dispensed" or "dispensing" or "needs_attention"))
                    {
                        violations.Add(new("line_disagrees_with_platform", Name(line), $"the platform dispensed it (command #{command.Seq}); the line is {line.Status}"));
                    }

                    break;
                case "failed" or "timeout" when trade.Kind == "pickup":
                    if (line.Status != "needs_attention")
                    {
                        violations.Add(new("failed_pickup_not_escalated", Name(line), $"command #{command.Seq} {command.Outcome}; line {line.Status}"));
                    }

                    break;
                case "failed" or "timeout" when command.Outcome == "failed" || RefundOnTimeout:
                    if (line.Status != "refunded" || refunds.Count != 1 || refunds[0].Status != "succeeded" || paidOut.Count != 1)
                    {
                        violations.Add(new("failed_item_not_refunded_once", Name(line),
                            $"command #{command.Seq} {command.Outcome} ({command.FailReason}); line {line.Status}, refund rows {Describe(refunds)}, payouts {paidOut.Count}"));
                    }

                    break;
            }

            if (line.Status == "dispensed" && command?.Outcome != "success")
            {
                violations.Add(new("dispensed_without_platform_success", Name(line),
                    command is null ? "no command for this record in the platform's log" : $"command #{command.Seq} is {command.Outcome ?? "running"}"));
            }

            if (line.Status == "dispensed" && refunds.Count > 0)
            {
                violations.Add(new("refund_for_dispensed_item", Name(line), $"line dispensed with refund rows {Describe(refunds)}"));
            }

            if (refunds.Count > 0 && line.Status is not ("refunded" or "refunding" or "failed" or "needs_attention" or "cancelled"))
            {
                violations.Add(new("refund_without_evidence", Name(line), $"refund rows {Describe(refunds)} for a {line.Status} line"));
            }

            if (line.Status == "refunded" && (refunds.Count != 1 || refunds[0].Status != "succeeded" || paidOut.Count != 1))
            {
                violations.Add(new("refunded_line_not_paid_once", Name(line), $"refund rows {Describe(refunds)}, payouts {paidOut.Count}"));
            }
        }

        foreach (var machine in data.Lines.Where(l => l.Status == "dispensing").GroupBy(l => l.MachineNo).Where(g => g.Count() > 1))
        {
            violations.Add(new("machine_overlap", $"machine {machine.Key}", $"{machine.Count()} lines dispensing at once: {string.Join(", ", machine.Select(Name))}"));
        }
    }

    // refunded_amount = sum of refunded lines ≤ amount = sum of succeeded refunds = what the provider paid out.
    private static void CheckMoney(Data data, List<Violation> violations)
    {
        foreach (var trade in data.Trades.Values)
        {
            var lines = data.Lines.Where(l => l.TradeId == trade.TradeId).ToList();
            var refundedLines = lines.Where(l => l.Status == "refunded").Sum(l => l.PriceFen);
            var succeeded = data.Refunds.Where(r => r.TradeId == trade.TradeId && r.Status == "succeeded").Sum(r => r.AmountFen);
            if (refundedLines > trade.AmountFen)
            {
                violations.Add(new("refunded_more_than_paid", $"trade {trade.TradeId}", $"refunded lines {refundedLines} fen > amount {trade.AmountFen} fen"));
            }

            if (refundedLines != succeeded)
            {
                violations.Add(new("refunded_amount_mismatch", $"trade {trade.TradeId}", $"refunded lines {refundedLines} fen ≠ succeeded refunds {succeeded} fen"));
            }
        }

        foreach (var payout in data.SandboxRefunds)
        {
            var refund = data.Refunds.FirstOrDefault(r => r.RefundKey == payout.RefundKey);
            if (refund is null || refund.AmountFen != payout.AmountFen)
            {
                violations.Add(new("payout_without_refund", $"refund key {payout.RefundKey}",
                    refund is null ? $"the provider paid {payout.AmountFen} fen that no refund row asked for" : $"paid {payout.AmountFen} fen for a refund of {refund.AmountFen}"));
            }
        }

        foreach (var payment in data.SandboxPayments)
        {
            var paidOut = data.SandboxRefunds.Where(r => r.PaymentId == payment.PaymentId).Sum(r => r.AmountFen);
            if (paidOut > payment.AmountFen)
            {
                violations.Add(new("refunded_more_than_paid", $"payment {payment.PaymentId}", $"paid out {paidOut} fen of {payment.AmountFen}"));
            }
        }
    }

    // Every trade reaches a terminal status, or needs_attention with a reason, within its deadline; its lines agree with it.
    private void CheckSettled(Data data, DateTimeOffset now, List<Violation> violations)
    {
        foreach (var trade in data.Trades.Values)
        {
            var lines = data.Lines.Where(l => l.TradeId == trade.TradeId).ToList();
            var payment = data.SandboxPayments.FirstOrDefault(p => p.TradeId == trade.TradeId);
            var customerPaid = payment?.Status == "paid";
            DateTimeOffset? deadline = trade.Status switch
            {
                "created" => trade.CreatedAt + CreateBudget,
                "awaiting_payment" when customerPaid => trade.UpdatedAt + SettleBudget,
                "awaiting_payment" => trade.PayBefore ?? trade.CreatedAt + TimeSpan.FromMinutes(20),
                "paid" or "dispensing" or "refunding" => (trade.PaidAt ?? trade.CreatedAt) + SettleBudget,
                _ => null,
            };
            if (deadline is { } due && now > due + Grace)
            {
                violations.Add(new("trade_not_settled", $"trade {trade.TradeId}",
                    $"still {trade.Status} {(now - due).TotalSeconds:0}s past its deadline; lines {string.Join(", ", lines.Select(l => $"{l.LineId}:{l.Status}"))}"));
            }

            if (trade.Status == "needs_attention" && string.IsNullOrWhiteSpace(trade.StatusReason))
            {
                violations.Add(new("attention_without_reason", $"trade {trade.TradeId}", "needs_attention with no status_reason"));
            }

            var statuses = lines.Select(l => l.Status).ToList();
            var consistent = trade.Status switch
            {
                "completed" => statuses.All(s => s == "dispensed"),
                "refunded" => statuses.All(s => s == "refunded"),
                "partially_refunded" => statuses.All(s => s is "dispensed" or "refunded") && statuses.Contains("dispensed") && statuses.Contains("refunded"),
                "cancelled" or "expired" or "rejected" => statuses.All(s => s == "cancelled"),
                "needs_attention" => statuses.Contains("needs_attention") && statuses.All(s => s is not ("pending" or "dispensing")),
                _ => true,
            };
            if (!consistent)
            {
                violations.Add(new("trade_disagrees_with_lines", $"trade {trade.TradeId}", $"{trade.Status} with lines {string.Join(", ", statuses)}"));
            }

            if (trade.Kind == "purchase" && customerPaid && trade.Status is "cancelled" or "expired" or "rejected"
                || customerPaid && trade.Status == "awaiting_payment" && now > trade.UpdatedAt + SettleBudget + Grace)
            {
                violations.Add(new("payment_lost", $"trade {trade.TradeId}", $"the customer paid {payment!.AmountFen} fen; the trade is {trade.Status}"));
            }

            if (customerPaid && data.Payments.FirstOrDefault(p => p.TradeId == trade.TradeId)?.Status != "succeeded"
                && now > trade.UpdatedAt + SettleBudget + Grace)
            {
                violations.Add(new("payment_lost", $"trade {trade.TradeId}", "the provider took the payment; our payment row never learned it"));
            }
        }
    }

    // A callback takes effect at most once; each line is claimed (sent to a machine) at most once; nothing stays unapplied.
    private void CheckCallbacksAndClaims(Data data, List<Violation> violations)
    {
        foreach (var group in data.Callbacks.Where(c => c.Outcome == "applied" && c.RecordId is not null)
                     .GroupBy(c => (c.TradeId, c.RecordId)).Where(g => g.Count() > 1))
        {
            violations.Add(new("callback_applied_twice", $"trade {group.Key.TradeId} record {group.Key.RecordId}",
                $"{group.Count()} callbacks applied: {string.Join(", ", group.Select(c => $"#{c.CallbackId}"))}"));
        }

        foreach (var callback in data.Callbacks.Where(c => c.ProcessedAt is null && c.ReceivedAt < DateTimeOffset.UtcNow - Grace))
        {
            violations.Add(new("callback_never_applied", $"callback {callback.CallbackId}", $"trade {callback.TradeId}, received {callback.ReceivedAt:HH:mm:ss.fff}"));
        }

        foreach (var group in data.Transitions.Where(t => t.LineId is not null)
                     .GroupBy(t => (t.TradeId, t.LineId, t.To)).Where(g => g.Count() > 1 && g.Key.To is "dispensing" or "dispensed" or "failed" or "refunded"))
        {
            violations.Add(new("transition_taken_twice", $"trade {group.Key.TradeId} line {group.Key.LineId}",
                $"→ {group.Key.To} {group.Count()} times: {string.Join(" | ", group.Select(t => $"{t.Actor}: {t.Summary}"))}"));
        }

        foreach (var group in data.DispenseJobs.GroupBy(j => (j.TradeId, j.LineId)).Where(g => g.Count() > 1))
        {
            violations.Add(new("line_claimed_twice", $"trade {group.Key.TradeId} line {group.Key.LineId}", $"{group.Count()} dispense jobs"));
        }
    }

    private static string Name(LineRow line) => $"trade {line.TradeId} line {line.LineId}";

    private static string Describe(List<RefundRow> refunds) =>
        refunds.Count == 0 ? "none" : string.Join(", ", refunds.Select(r => $"{r.RefundKey}:{r.Status}"));

    private async Task<NpgsqlConnection> OpenAsync()
    {
        // Unpooled: a pooled connection would not survive a PostgreSQL restart.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private async Task<Data> LoadAsync()
    {
        await using var connection = await OpenAsync();
        var data = new Data();
        await ReadAsync(connection, """
            SELECT trade_id, kind, machine_no, status, amount_fen, platform_order_id, status_reason, created_at, pay_before, paid_at, updated_at
            FROM trades
            """, r => data.Trades[r.GetString(0)] = new TradeRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4),
            r.IsDBNull(5) ? null : r.GetInt64(5), r.IsDBNull(6) ? null : r.GetString(6), r.GetFieldValue<DateTimeOffset>(7),
            r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8), r.IsDBNull(9) ? null : r.GetFieldValue<DateTimeOffset>(9),
            r.GetFieldValue<DateTimeOffset>(10)));
        await ReadAsync(connection, "SELECT trade_id, line_id, machine_no, price_fen, platform_record_id, status FROM trade_lines",
            r => data.Lines.Add(new LineRow(r.GetString(0), r.GetInt32(1), r.GetString(2), r.GetInt64(3), r.IsDBNull(4) ? null : r.GetInt64(4), r.GetString(5))));
        await ReadAsync(connection, "SELECT trade_id, status, amount_fen FROM payments",
            r => data.Payments.Add(new PaymentRow(r.GetString(0), r.GetString(1), r.GetInt64(2))));
        await ReadAsync(connection, "SELECT payment_id, trade_id, status, amount_fen FROM sandbox_payments",
            r => data.SandboxPayments.Add(new SandboxPaymentRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3))));
        await ReadAsync(connection, "SELECT refund_key, trade_id, line_id, amount_fen, status FROM refunds",
            r => data.Refunds.Add(new RefundRow(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetInt64(3), r.GetString(4))));
        await ReadAsync(connection, "SELECT refund_key, payment_id, amount_fen FROM sandbox_refunds",
            r => data.SandboxRefunds.Add(new SandboxRefundRow(r.GetString(0), r.GetString(1), r.GetInt64(2))));
        await ReadAsync(connection, "SELECT trade_id, line_id FROM jobs WHERE kind = 'dispense_line'",
            r => data.DispenseJobs.Add((r.GetString(0), r.IsDBNull(1) ? null : r.GetInt32(1))));
        await ReadAsync(connection, "SELECT trade_id, line_id, actor, summary FROM trade_events WHERE kind = 'transition' ORDER BY event_id",
            r => data.Transitions.Add(new TransitionRow(r.GetString(0), r.IsDBNull(1) ? null : r.GetInt32(1), r.GetString(2), r.GetString(3))));
        await ReadAsync(connection, "SELECT callback_id, trade_id, body, received_at, processed_at, outcome FROM platform_callbacks",
            r => data.Callbacks.Add(new CallbackRow(r.GetInt64(0), r.GetString(1), RecordIdOf(r.GetString(2)), r.GetFieldValue<DateTimeOffset>(3),
                r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4), r.IsDBNull(5) ? null : r.GetString(5))));
        foreach (var line in data.Lines)
        {
            if (data.Trades[line.TradeId].PlatformOrderId is { } order && line.PlatformRecordId is { } record)
            {
                data.LinesByRecord[(order, record)] = line;
            }
        }

        return data;
    }

    private static long? RecordIdOf(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("record_id", out var id))
            {
                return id.ValueKind == JsonValueKind.Number ? id.GetInt64()
                    : long.TryParse(id.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            // Unreadable callbacks are stored as they came; they name no record.
        }

        return null;
    }

    private static async Task ReadAsync(NpgsqlConnection connection, string sql, Action<NpgsqlDataReader> row)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            row(reader);
        }
    }

    private sealed class Data
    {
        public Dictionary<string, TradeRow> Trades { get; } = [];

        public List<LineRow> Lines { get; } = [];

        public Dictionary<(long OrderId, long RecordId), LineRow> LinesByRecord { get; } = [];

        public List<PaymentRow> Payments { get; } = [];

        public List<SandboxPaymentRow> SandboxPayments { get; } = [];

        public List<RefundRow> Refunds { get; } = [];

        public List<SandboxRefundRow> SandboxRefunds { get; } = [];

        public List<(string TradeId, int? LineId)> DispenseJobs { get; } = [];

        public List<TransitionRow> Transitions { get; } = [];

        public List<CallbackRow> Callbacks { get; } = [];
    }

    private sealed record TradeRow(string TradeId, string Kind, string MachineNo, string Status, long AmountFen, long? PlatformOrderId,
        string? StatusReason, DateTimeOffset CreatedAt, DateTimeOffset? PayBefore, DateTimeOffset? PaidAt, DateTimeOffset UpdatedAt);

    private sealed record LineRow(string TradeId, int LineId, string MachineNo, long PriceFen, long? PlatformRecordId, string Status);

    private sealed record PaymentRow(string TradeId, string Status, long AmountFen);

    private sealed record SandboxPaymentRow(string PaymentId, string TradeId, string Status, long AmountFen);

    private sealed record RefundRow(string RefundKey, string TradeId, int LineId, long AmountFen, string Status);

    private sealed record SandboxRefundRow(string RefundKey, string PaymentId, long AmountFen);

    private sealed record TransitionRow(string TradeId, int? LineId, string Actor, string Summary)
    {
        // "line 2: dispensing → dispensed (report_dispensed)"
        public string To => Summary.Split(" → ") is [_, var rest] ? rest.Split(' ')[0] : string.Empty;
    }

    private sealed record CallbackRow(long CallbackId, string TradeId, long? RecordId, DateTimeOffset ReceivedAt, DateTimeOffset? ProcessedAt, string? Outcome);
}
