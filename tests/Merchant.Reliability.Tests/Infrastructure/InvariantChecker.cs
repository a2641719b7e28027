using Npgsql;

namespace Merchant.Reliability.Tests.Infrastructure;

/// <summary>One broken promise, with what proves it.</summary>
public sealed record Violation(string Rule, string Subject, string Detail)
{
    public override string ToString() => $"[{Rule}] {Subject}: {Detail}";
}

/// <summary>
/// What a check saw, and what it found wrong. <see cref="PendingRefunds"/> (the provider took them and has not paid yet,
/// within their deadline) and <see cref="Escalated"/> (trades a person must settle, for a reason the platform's log or the
/// provider's books justify) are reported, not violations.
/// </summary>
public sealed record CheckReport(
    IReadOnlyList<Violation> Violations,
    int Trades,
    IReadOnlyDictionary<string, int> TradesByStatus,
    int Lines,
    int Commands,
    int RefusedAttempts,
    int Callbacks,
    int Refunds,
    IReadOnlyList<string> PendingRefunds,
    IReadOnlyList<string> Escalated)
{
    public string Summary =>
        $"{Trades} trade(s) [{string.Join(", ", TradesByStatus.OrderBy(s => s.Key).Select(s => $"{s.Key} {s.Value}"))}], "
        + $"{Lines} line(s), {Commands} command(s), {RefusedAttempts} refused attempt(s), {Callbacks} callback(s), {Refunds} refund(s), "
        + $"{PendingRefunds.Count} refund(s) pending at the provider, {Escalated.Count} escalated, {Violations.Count} violation(s)";

    /// <summary>Fails the test with every violation listed.</summary>
    public void ShouldHoldAll()
    {
        Violations.ShouldBeEmpty($"invariants broken ({Summary}):\n{string.Join("\n", Violations)}");
    }
}

/// <summary>
/// The promise of DESIGN.md checked from the outside after a run. It reads three witnesses that do not depend on each
/// other: the service's tables (raw SQL), the platform's full log (every dispense attempt, accepted or refused, and every
/// order's records) and the payment provider's own books. It reports an item dispensed twice or sent twice, a command to
/// a busy machine or before PUT 1, a failed item not refunded exactly once, money kept that differs from the value
/// dispensed, a trade left unsettled past its deadline (measured from the end of the load), an escalation nothing
/// justifies, a callback or notification that took effect twice or never, two commands overlapping on one machine.
/// </summary>
public sealed class InvariantChecker(string connectionString, HttpClient simulatorControl)
{
    private static readonly string[] Settled = ["dispensed", "refunded", "needs_attention", "cancelled"];

    public string Database { get; } = new NpgsqlConnectionStringBuilder(connectionString).Database ?? string.Empty;

    /// <summary>Extra time allowed past each deadline below (scheduling, backoff, sweeps).</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long after the end of the load every paid trade may take to settle (dispense, refund, or escalate).</summary>
    public TimeSpan SettleBudget { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A trade still `created` (checkout died mid create-order) is rejected once the claim's lease (60 s) runs out.</summary>
    public TimeSpan CreateBudget { get; init; } = TimeSpan.FromSeconds(70);

    /// <summary>How long a refund the provider took may stay unpaid (Payments:RefundConfirmDeadline) before that is a violation.</summary>
    public TimeSpan RefundConfirmDeadline { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Dispense:RefundOnTimeout: whether IS_TIMEOUT lines must be refunded (true) or escalated.</summary>
    public bool RefundOnTimeout { get; init; } = true;

    /// <summary>The payment provider's own books; the sandbox's tables unless a test pays through another provider.</summary>
    public IProviderBooks Books { get; init; } = new SandboxBooks(connectionString);

    /// <summary>
    /// Waits while work is in flight — a trade paid or dispensing, a failed line without its refund, a refund we are still
    /// asking for, an unapplied callback or notification, a payment the provider took and we did not apply — but no longer
    /// than the deadline: the end of the load (<paramref name="loadEnded"/>, now when not given) + settle budget + grace.
    /// Then checks; whatever is still in flight then is past its deadline. Refunds the provider took and has not paid are
    /// not waited for (they are reported as pending).
    /// </summary>
    public async Task<CheckReport> SettleAndCheckAsync(DateTimeOffset? loadEnded = null)
    {
        var ended = loadEnded ?? DateTimeOffset.UtcNow;
        while (DateTimeOffset.UtcNow < ended + SettleBudget + Grace)
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

        return await CheckAsync(ended);
    }

    public async Task<long> InFlightAsync()
    {
        long inFlight;
        var statuses = new Dictionary<string, string>();
        await using (var connection = await CheckData.OpenAsync(connectionString))
        {
            await using (var command = new NpgsqlCommand("""
                SELECT (SELECT count(*) FROM trades WHERE status IN ('paid', 'dispensing'))
                     + (SELECT count(*) FROM trade_lines l JOIN trades t ON t.trade_id = l.trade_id WHERE l.status = 'failed' AND t.kind = 'purchase')
                     + (SELECT count(*) FROM refunds r LEFT JOIN trade_lines l ON l.trade_id = r.trade_id AND l.line_id = r.line_id
                        WHERE r.status = 'pending' AND coalesce(l.status, '') <> 'needs_attention')
                     + (SELECT count(*) FROM platform_callbacks WHERE processed_at IS NULL)
                     + (SELECT count(*) FROM payment_notifications WHERE applied_at IS NULL)
                """, connection))
            {
                inFlight = (long)(await command.ExecuteScalarAsync())!;
            }

            await using var trades = new NpgsqlCommand("SELECT trade_id, status FROM trades WHERE status IN ('awaiting_payment', 'cancelled', 'expired')", connection);
            await using var reader = await trades.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                statuses[reader.GetString(0)] = reader.GetString(1);
            }
        }

        // The provider took a payment the trade does not know of yet.
        var books = await Books.ReadAsync();
        return inFlight + books.Values.Count(b => b.PaidFen > 0 && statuses.ContainsKey(b.TradeId));
    }

    /// <summary>Checks now, judging deadlines from <paramref name="loadEnded"/> (now when not given).</summary>
    public async Task<CheckReport> CheckAsync(DateTimeOffset? loadEnded = null)
    {
        var data = await CheckData.LoadAsync(connectionString, simulatorControl, Books);
        var check = new Check(this, data, loadEnded ?? DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
        check.Run();
        return new CheckReport(
            check.Violations,
            data.Trades.Count,
            data.Trades.Values.GroupBy(t => t.Status).ToDictionary(g => g.Key, g => g.Count()),
            data.Lines.Count,
            data.Commands.Count,
            data.Attempts.Count(a => a.Refused is not null),
            data.Callbacks.Count,
            data.Refunds.Count,
            check.PendingRefunds,
            check.Escalated);
    }

    /// <summary>One check over one snapshot of the three witnesses.</summary>
    private sealed class Check(InvariantChecker settings, CheckData data, DateTimeOffset loadEnded, DateTimeOffset now)
    {
        public List<Violation> Violations { get; } = [];

        public List<string> PendingRefunds { get; } = [];

        public List<string> Escalated { get; } = [];

        private DateTimeOffset SettleDeadline => loadEnded + settings.SettleBudget;

        public void Run()
        {
            CheckAttempts();
            CheckMachines();
            CheckLines();
            CheckMoney();
            CheckProviderTruth();
            CheckSettled();
            CheckAttention();
            CheckCallbacksAndClaims();
        }

        private void Add(string rule, string subject, string detail) => Violations.Add(new(rule, subject, detail));

        // The platform's full log: every attempt at a record, accepted or refused. One command per record ever — nothing
        // after an attempt that may have reached the machine; never a command to a busy machine; never one before PUT 1.
        private void CheckAttempts()
        {
            foreach (var record in data.Attempts.Where(a => a.RecordId > 0).GroupBy(a => (a.OrderId, a.RecordId)))
            {
                var ordered = record.OrderBy(a => a.AtReal).ToList();
                var mayHaveReached = false;
                var repeats = new List<Attempt>();
                foreach (var attempt in ordered)
                {
                    // A record the platform calls "not waiting" was started by an earlier command.
                    if (mayHaveReached || attempt.Refused?.Reason == "record_not_waiting")
                    {
                        repeats.Add(attempt);
                    }

                    mayHaveReached |= attempt.MayHaveReachedTheMachine;
                }

                if (repeats.Count > 0)
                {
                    Add("one_command_per_line", $"order {record.Key.OrderId} record {record.Key.RecordId}",
                        $"sent again after it may have reached the machine: {string.Join(", ", ordered)}");
                }
            }

            foreach (var busy in data.Attempts.Where(a => a.Refused?.Reason == "machine_busy"))
            {
                Add("command_to_busy_machine", $"machine {busy.MachineNo}", $"order {busy.OrderId} record {busy.RecordId}: {busy}");
            }

            foreach (var attempt in data.Attempts)
            {
                if (!data.Orders.TryGetValue(attempt.OrderId, out var order) || order.PickupCodeId is not null || order.Status == "PICKUPCODE")
                {
                    continue;
                }

                if (attempt.OrderPaidAt is not { } paidAt || attempt.At < paidAt || attempt.Refused?.Reason == "order_unpaid")
                {
                    Add("command_before_paid", $"order {attempt.OrderId} record {attempt.RecordId}",
                        $"{attempt}, {(attempt.OrderPaidAt is { } at ? $"PUT 1 at {at:HH:mm:ss.fff}" : "never marked paid before it")} (trade {order.TradeId})");
                }
            }

            foreach (var command in data.Commands)
            {
                if (!data.LinesByRecord.TryGetValue((command.OrderId, command.RecordId), out var line))
                {
                    var owner = command.TradeId is { } id && data.Trades.TryGetValue(id, out var disowned)
                        ? $"trade {id} ({disowned.Status}, platform order {disowned.PlatformOrderId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"})"
                        : $"trade {command.TradeId ?? "?"} unknown to the database";
                    Add("command_for_unknown_line", $"order {command.OrderId} record {command.RecordId}",
                        $"command #{command.Seq} on machine {command.MachineNo} matches no line; {owner}");
                    continue;
                }

                var trade = data.Trades[line.TradeId];
                if (line.Status is "pending" or "cancelled")
                {
                    Add("command_for_unsent_line", line.ToString(), $"command #{command.Seq} → {command.Outcome ?? "running"}, but the line is {line.Status} (trade {trade.Status})");
                }

                if (trade.Kind == "purchase" && trade.Status is "created" or "awaiting_payment" or "cancelled" or "expired" or "rejected")
                {
                    Add("dispensed_without_payment", line.ToString(), $"command #{command.Seq} for a {trade.Status} trade");
                }
            }
        }

        // No two commands overlap on a machine: the next is issued only after the previous one finished (or, for a device
        // that never reported, after the machine's lock time); never two lines dispensing on one machine in the database.
        private void CheckMachines()
        {
            foreach (var machine in data.Commands.GroupBy(c => c.MachineNo))
            {
                var ordered = machine.OrderBy(c => c.Seq).ToList();
                var lockSeconds = data.Machines.TryGetValue(machine.Key, out var view) ? view.LockSeconds : 0;
                for (var i = 1; i < ordered.Count; i++)
                {
                    var previous = ordered[i - 1];
                    var next = ordered[i];
                    if (previous.Outcome is "success" or "failed" && previous.FinishedAtReal is { } finished)
                    {
                        if (next.IssuedAtReal < finished)
                        {
                            Add("machine_overlap", $"machine {machine.Key}",
                                $"command #{next.Seq} issued at {next.IssuedAtReal:HH:mm:ss.fff} before #{previous.Seq} finished at {finished:HH:mm:ss.fff}");
                        }
                    }
                    else
                    {
                        // The device never reported (timeout) or has not yet: the machine is locked for its lock time (simulated clock).
                        var unlock = previous.IssuedAt + TimeSpan.FromSeconds(lockSeconds);
                        if (next.IssuedAt < unlock)
                        {
                            Add("machine_overlap", $"machine {machine.Key}",
                                $"command #{next.Seq} issued at sim {next.IssuedAt:HH:mm:ss.fff} while #{previous.Seq} ({previous.Outcome ?? "running"}) held the lock until {unlock:HH:mm:ss.fff}");
                        }
                    }
                }
            }

            foreach (var machine in data.Lines.Where(l => l.Status == "dispensing").GroupBy(l => l.MachineNo).Where(g => g.Count() > 1))
            {
                Add("lines_dispensing_at_once", $"machine {machine.Key}", $"{machine.Count()} lines dispensing: {string.Join(", ", machine)}");
            }
        }

        // The database agrees with the platform about every line, and what failed is refunded exactly once (the provider's
        // books say so), or is being refunded within its deadline.
        private void CheckLines()
        {
            var byRecord = data.Commands.GroupBy(c => (c.OrderId, c.RecordId)).ToDictionary(g => g.Key, g => g.Last());
            foreach (var line in data.Lines)
            {
                var trade = data.Trades[line.TradeId];
                var refunds = data.Refunds.Where(r => r.TradeId == line.TradeId && r.LineId == line.LineId).ToList();
                var paidOut = data.BookOf(line.TradeId).Refunds.Where(r => r.RefundKey == line.Key).ToList();
                var paid = paidOut.Count(r => r.State == ProviderRefundState.Succeeded);
                var command = Command(byRecord, trade, line);

                switch (command?.Outcome)
                {
                    case "success":
                        if (refunds.Count > 0 || paidOut.Count > 0)
                        {
                            Add("refund_for_dispensed_item", line.ToString(),
                                $"the platform dispensed it (command #{command.Seq}) but {refunds.Count} refund row(s), {paidOut.Count} provider refund(s) exist; line {line.Status}");
                        }

                        if (line.Status is not ("dispensed" or "dispensing" or "needs_attention"))
                        {
                            Add("line_disagrees_with_platform", line.ToString(), $"the platform dispensed it (command #{command.Seq}); the line is {line.Status}");
                        }

                        break;
                    case "failed" or "timeout" when trade.Kind == "pickup":
                        if (line.Status != "needs_attention")
                        {
                            Add("failed_pickup_not_escalated", line.ToString(), $"command #{command.Seq} {command.Outcome}; line {line.Status}");
                        }

                        break;
                    case "failed" or "timeout" when command.Outcome == "failed" || settings.RefundOnTimeout:
                        var refunded = line.Status == "refunded" && refunds is [{ Status: "succeeded" }] && paid == 1;
                        var beingRefunded = line.Status == "refunding" && refunds is [{ Status: "requested" }]
                            && paidOut.Any(r => r.State == ProviderRefundState.Processing);
                        // A line a person must settle is judged by the attention rule.
                        if (!refunded && !beingRefunded && line.Status != "needs_attention")
                        {
                            Add("failed_item_not_refunded_once", line.ToString(),
                                $"command #{command.Seq} {command.Outcome} ({command.FailReason}); line {line.Status}, refund rows {Describe(refunds)}, provider refunds {Describe(paidOut)}");
                        }

                        break;
                }

                if (line.Status == "dispensed" && command?.Outcome != "success")
                {
                    Add("dispensed_without_platform_success", line.ToString(),
                        command is null ? "no command for this record in the platform's log" : $"command #{command.Seq} is {command.Outcome ?? "running"}");
                }

                if (line.Status == "dispensed" && refunds.Count > 0)
                {
                    Add("refund_for_dispensed_item", line.ToString(), $"line dispensed with refund rows {Describe(refunds)}");
                }

                if (refunds.Count > 0 && line.Status is not ("refunded" or "refunding" or "failed" or "needs_attention" or "cancelled"))
                {
                    Add("refund_without_evidence", line.ToString(), $"refund rows {Describe(refunds)} for a {line.Status} line");
                }

                if (line.Status == "refunded" && (refunds is not [{ Status: "succeeded" }] || paid != 1))
                {
                    Add("refunded_line_not_paid_once", line.ToString(), $"refund rows {Describe(refunds)}, provider refunds {Describe(paidOut)}");
                }
            }
        }

        // Our own books agree with themselves: refunded_amount = sum of refunded lines ≤ amount = sum of succeeded line
        // refunds; every refund the provider holds was asked for, for that amount.
        private void CheckMoney()
        {
            foreach (var trade in data.Trades.Values)
            {
                var refundedLines = data.LinesOf(trade.TradeId).Where(l => l.Status == "refunded").Sum(l => l.PriceFen);
                // A whole payment given back (line 0, a mismatched amount) is not a line's refund.
                var succeeded = data.Refunds.Where(r => r.TradeId == trade.TradeId && r.LineId != 0 && r.Status == "succeeded").Sum(r => r.AmountFen);
                if (refundedLines > trade.AmountFen)
                {
                    Add("refunded_more_than_paid", $"trade {trade.TradeId}", $"refunded lines {refundedLines} fen > amount {trade.AmountFen} fen");
                }

                if (refundedLines != succeeded)
                {
                    Add("refunded_amount_mismatch", $"trade {trade.TradeId}", $"refunded lines {refundedLines} fen ≠ succeeded refunds {succeeded} fen");
                }
            }

            foreach (var payout in data.Books.Values.SelectMany(b => b.Refunds).Where(r => r.State != ProviderRefundState.NotMade))
            {
                var refund = data.Refunds.FirstOrDefault(r => r.RefundKey == payout.RefundKey);
                if (refund is null || refund.AmountFen != payout.AmountFen)
                {
                    Add("payout_without_refund", $"refund key {payout.RefundKey}",
                        refund is null ? $"the provider refunds {payout.AmountFen} fen that no refund row asked for" : $"the provider refunds {payout.AmountFen} fen for a refund of {refund.AmountFen}");
                }
            }
        }

        // The provider's books against the platform's records, trade by trade: money kept (paid − refunded) = value
        // dispensed, never negative. A refund the provider took and has not paid may cover the difference until its deadline;
        // a trade a person must settle is listed, not judged here (the attention rule judges its reason).
        private void CheckProviderTruth()
        {
            var purchases = data.Trades.Values.Where(t => t.Kind == "purchase").Select(t => t.TradeId);
            foreach (var tradeId in purchases.Union(data.Books.Keys).Distinct())
            {
                var book = data.BookOf(tradeId);
                var dispensed = data.DispensedFen(tradeId);
                if (book.RefundedFen > book.PaidFen)
                {
                    Add("provider_refunded_more_than_paid", $"trade {tradeId}", $"the provider paid back {book.RefundedFen} fen of {book.PaidFen} fen paid");
                }

                foreach (var pending in book.Refunds.Where(r => r.State == ProviderRefundState.Processing))
                {
                    if (now > pending.CreatedAt + settings.RefundConfirmDeadline + settings.Grace)
                    {
                        Add("refund_overdue", $"refund key {pending.RefundKey}",
                            $"{pending.AmountFen} fen taken by the provider at {pending.CreatedAt:O}, still not paid after {settings.RefundConfirmDeadline}");
                    }
                    else
                    {
                        PendingRefunds.Add($"{pending.RefundKey}: {pending.AmountFen} fen taken at {pending.CreatedAt:HH:mm:ss.fff}");
                    }
                }

                if (data.Trades.TryGetValue(tradeId, out var trade) && NeedsAPerson(trade))
                {
                    Escalated.Add($"trade {tradeId} ({trade.StatusReason}): kept {book.KeptFen} fen, dispensed {dispensed} fen");
                    continue;
                }

                if (book.KeptFen != dispensed && book.KeptFen - book.RefundingFen != dispensed)
                {
                    Add(book.KeptFen > dispensed ? "provider_kept_more_than_dispensed" : "provider_kept_less_than_dispensed", $"trade {tradeId}",
                        $"the provider says {book.PaidFen} fen paid − {book.RefundedFen} fen refunded = {book.KeptFen} fen kept ({book.RefundingFen} fen refunding); the platform dispensed {dispensed} fen");
                }
            }
        }

        // Every trade reaches a terminal status, or needs_attention with a reason, by its deadline: paid work by the end of
        // the load + settle budget (not from its payment, so a trade paid at the end is held to the same bound).
        private void CheckSettled()
        {
            foreach (var trade in data.Trades.Values)
            {
                var lines = data.LinesOf(trade.TradeId).ToList();
                var book = data.BookOf(trade.TradeId);
                var customerPaid = book.PaidFen > 0;
                DateTimeOffset? deadline = trade.Status switch
                {
                    "created" => trade.CreatedAt + settings.CreateBudget,
                    "awaiting_payment" when customerPaid => SettleDeadline,
                    "awaiting_payment" => trade.PayBefore ?? trade.CreatedAt + TimeSpan.FromMinutes(20),
                    "paid" or "dispensing" => SettleDeadline,
                    // Waiting only for refunds the provider took: judged by their own deadline (refund_overdue).
                    "refunding" when lines.All(l => Settled.Contains(l.Status) || l.Status == "refunding" && RefundRequested(l)) => null,
                    "refunding" => SettleDeadline,
                    _ => null,
                };
                if (deadline is { } due && now > due + settings.Grace)
                {
                    Add("trade_not_settled", $"trade {trade.TradeId}",
                        $"still {trade.Status} {(now - due).TotalSeconds:0}s past its deadline ({due:HH:mm:ss}); lines {string.Join(", ", lines.Select(l => $"{l.LineId}:{l.Status}"))}");
                }

                if (trade.Status == "needs_attention" && string.IsNullOrWhiteSpace(trade.StatusReason))
                {
                    Add("attention_without_reason", $"trade {trade.TradeId}", "needs_attention with no status_reason");
                }

                var statuses = lines.Select(l => l.Status).ToList();
                var consistent = trade.Status switch
                {
                    "completed" => statuses.All(s => s == "dispensed"),
                    "refunded" => statuses.All(s => s == "refunded"),
                    "partially_refunded" => statuses.All(s => s is "dispensed" or "refunded") && statuses.Contains("dispensed") && statuses.Contains("refunded"),
                    "cancelled" or "expired" or "rejected" => statuses.All(s => s == "cancelled"),
                    // A mismatched payment goes back whole while every line stays cancelled.
                    "needs_attention" => statuses.Contains("needs_attention")
                        ? statuses.All(s => s is not ("pending" or "dispensing"))
                        : statuses.All(s => s == "cancelled"),
                    _ => true,
                };
                if (!consistent)
                {
                    Add("trade_disagrees_with_lines", $"trade {trade.TradeId}", $"{trade.Status} with lines {string.Join(", ", statuses)}");
                }

                var payment = data.Payments.FirstOrDefault(p => p.TradeId == trade.TradeId);
                if (trade.Kind == "purchase" && customerPaid && trade.Status is "cancelled" or "expired" or "rejected"
                    || customerPaid && trade.Status == "awaiting_payment" && now > SettleDeadline + settings.Grace)
                {
                    Add("payment_lost", $"trade {trade.TradeId}", $"the customer paid {book.PaidFen} fen; the trade is {trade.Status}");
                }
                else if (customerPaid && payment?.Status != "succeeded" && now > SettleDeadline + settings.Grace)
                {
                    Add("payment_lost", $"trade {trade.TradeId}", $"the provider took {book.PaidFen} fen; our payment row is {payment?.Status ?? "missing"}");
                }
            }
        }

        // needs_attention only for an ambiguous outcome, which a witness other than the service must show: the platform's log
        // (the command was still running when the line was escalated, or timed out; a failed pickup cannot be refunded) or the
        // provider's books (the refund a failed line earned had not been paid when it was escalated; a payment of another
        // amount than the trade's). "Escalate everything" fails here.
        private void CheckAttention()
        {
            var byRecord = data.Commands.GroupBy(c => (c.OrderId, c.RecordId)).ToDictionary(g => g.Key, g => g.Last());
            foreach (var trade in data.Trades.Values)
            {
                var attention = data.LinesOf(trade.TradeId).Where(l => l.Status == "needs_attention").ToList();
                foreach (var line in attention)
                {
                    var escalatedAt = data.Transitions.LastOrDefault(t => t.TradeId == line.TradeId && t.LineId == line.LineId && t.To == "needs_attention")?.At ?? now;
                    var command = Command(byRecord, trade, line);
                    var platformAmbiguous = command is not null
                        && (command.Outcome is null or "timeout"
                            || command.FinishedAtReal > escalatedAt
                            || trade.Kind == "pickup" && command.Outcome == "failed");
                    var refundNotPaid = command?.Outcome != "success"
                        && data.Refunds.Any(r => r.RefundKey == line.Key)
                        && !data.BookOf(trade.TradeId).Refunds.Any(r => r.RefundKey == line.Key && r.State == ProviderRefundState.Succeeded && r.SucceededAt <= escalatedAt);
                    if (!platformAmbiguous && !refundNotPaid)
                    {
                        Add("attention_unjustified", line.ToString(),
                            $"escalated at {escalatedAt:HH:mm:ss.fff} ({trade.StatusReason}) though the platform reports {(command is null ? "no command" : $"command #{command.Seq} {command.Outcome} at {command.FinishedAtReal:HH:mm:ss.fff}")} and no refund of it was left unpaid");
                    }
                }

                var book = data.BookOf(trade.TradeId);
                if (trade.Status == "needs_attention" && attention.Count == 0 && !(book.PaidFen > 0 && book.PaidFen != trade.AmountFen))
                {
                    Add("attention_unjustified", $"trade {trade.TradeId}",
                        $"needs_attention ({trade.StatusReason}) with no line needing it and no payment of another amount (paid {book.PaidFen} of {trade.AmountFen} fen)");
                }
            }
        }

        // A callback or notification takes effect at most once, and none is left unapplied; each line is claimed (sent to a
        // machine) at most once.
        private void CheckCallbacksAndClaims()
        {
            foreach (var group in data.Callbacks.Where(c => c.Outcome == "applied" && c.RecordId is not null)
                         .GroupBy(c => (c.TradeId, c.RecordId)).Where(g => g.Count() > 1))
            {
                Add("callback_applied_twice", $"trade {group.Key.TradeId} record {group.Key.RecordId}",
                    $"{group.Count()} callbacks applied: {string.Join(", ", group.Select(c => $"#{c.CallbackId}"))}");
            }

            foreach (var callback in data.Callbacks.Where(c => c.ProcessedAt is null && c.ReceivedAt < now - settings.Grace))
            {
                Add("callback_never_applied", $"callback {callback.CallbackId}", $"trade {callback.TradeId}, received {callback.ReceivedAt:HH:mm:ss.fff}");
            }

            foreach (var notification in data.UnappliedNotifications.Where(n => n.ReceivedAt < now - settings.Grace))
            {
                Add("notification_never_applied", $"notification {notification.NotificationId}",
                    $"{notification.Provider} notification for trade {notification.TradeId}, received {notification.ReceivedAt:HH:mm:ss.fff}");
            }

            foreach (var group in data.Transitions.Where(t => t.LineId is not null && !t.SettlesAnEscalation)
                         .GroupBy(t => (t.TradeId, t.LineId, t.To)).Where(g => g.Count() > 1 && g.Key.To is "dispensing" or "dispensed" or "failed" or "refunded"))
            {
                Add("transition_taken_twice", $"trade {group.Key.TradeId} line {group.Key.LineId}",
                    $"→ {group.Key.To} {group.Count()} times: {string.Join(" | ", group.Select(t => $"{t.Actor}: {t.Summary}"))}");
            }

            foreach (var group in data.DispenseJobs.GroupBy(j => (j.TradeId, j.LineId)).Where(g => g.Count() > 1))
            {
                Add("line_claimed_twice", $"trade {group.Key.TradeId} line {group.Key.LineId}", $"{group.Count()} dispense jobs");
            }
        }

        private bool NeedsAPerson(TradeRow trade) =>
            trade.Status == "needs_attention" || data.LinesOf(trade.TradeId).Any(l => l.Status == "needs_attention");

        private bool RefundRequested(LineRow line) => data.Refunds.Any(r => r.RefundKey == line.Key && r.Status == "requested");

        private static Vending.Platform.Simulator.Control.CommandView? Command(
            Dictionary<(long, long), Vending.Platform.Simulator.Control.CommandView> byRecord, TradeRow trade, LineRow line) =>
            trade.PlatformOrderId is { } order && line.PlatformRecordId is { } record ? byRecord.GetValueOrDefault((order, record)) : null;

        private static string Describe(List<RefundRow> refunds) =>
            refunds.Count == 0 ? "none" : string.Join(", ", refunds.Select(r => $"{r.RefundKey}:{r.Status}"));

        private static string Describe(List<ProviderRefund> refunds) =>
            refunds.Count == 0 ? "none" : string.Join(", ", refunds.Select(r => $"{r.RefundKey}:{r.State}"));
    }
}
