namespace Merchant.Domain;

/// <summary>
/// One customer purchase (or pickup-code redemption) at one machine, with one line per physical item.
/// Every status change goes through <see cref="Transitions"/>; time is always passed in.
/// </summary>
public sealed class Trade
{
    public const string DefaultCurrency = "CNY";

    private readonly List<TradeLine> _lines = [];
    private readonly List<StatusChange> _changes = [];

    private Trade()
    {
        TradeId = string.Empty;
        MachineNo = string.Empty;
        Currency = DefaultCurrency;
    }

    public string TradeId { get; private set; }

    public TradeKind Kind { get; private set; }

    public string MachineNo { get; private set; }

    public TradeStatus Status { get; private set; }

    public long AmountFen { get; private set; }

    public string Currency { get; private set; }

    public long? PlatformOrderId { get; private set; }

    public string? CustomerRef { get; private set; }

    public string? PickupCode { get; private set; }

    /// <summary>Why the trade is rejected or needs attention, in words an operator can act on.</summary>
    public string? StatusReason { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? OrderCreatedAt { get; private set; }

    public DateTimeOffset? PayBefore { get; private set; }

    public DateTimeOffset? PaidAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>PostgreSQL's xmin, so a concurrent writer that skipped the row lock still cannot overwrite.</summary>
    public uint Version { get; private set; }

    public IReadOnlyList<TradeLine> Lines => _lines;

    /// <summary>Status changes made since the trade was loaded, for the audit timeline.</summary>
    public IReadOnlyList<StatusChange> Changes => _changes;

    /// <summary>Always the sum of refunded lines, so the two can never disagree.</summary>
    public long RefundedFen => _lines.Where(l => l.Status == LineStatus.Refunded).Sum(l => l.PriceFen);

    public static Trade NewPurchase(
        string tradeId, string machineNo, IEnumerable<LineDraft> items, string? customerRef, DateTimeOffset now)
    {
        var trade = New(tradeId, TradeKind.Purchase, machineNo, now);
        trade.CustomerRef = customerRef;
        foreach (var item in items)
        {
            trade.AddLine(item);
        }

        if (trade._lines.Count == 0)
        {
            throw new ArgumentException("A trade needs at least one line.", nameof(items));
        }

        // The catalog's figure until the platform prices the order.
        trade.AmountFen = trade._lines.Sum(l => l.PriceFen);
        return trade;
    }

    public static Trade NewPickup(string tradeId, string machineNo, long productId, string code, DateTimeOffset now)
    {
        var trade = New(tradeId, TradeKind.Pickup, machineNo, now);
        trade.PickupCode = code;
        trade.AddLine(new LineDraft(productId, string.Empty, 0));
        return trade;
    }

    public TradeLine Line(int lineId) =>
        _lines.FirstOrDefault(l => l.LineId == lineId)
        ?? throw new KeyNotFoundException($"Trade {TradeId} has no line {lineId}.");

    public TradeLine? LineForRecord(long recordId) => _lines.FirstOrDefault(l => l.PlatformRecordId == recordId);

    /// <summary>
    /// The platform accepted the order: lines take the platform's records (and its prices, never the client's).
    /// Records are matched to lines by product in order; a record the platform merged (quantity &gt; 1)
    /// becomes one line of that quantity.
    /// </summary>
    public void PlaceOrder(long platformOrderId, IReadOnlyList<PlatformRecord> records, long amountFen,
        DateTimeOffset orderCreatedAt, TimeSpan paymentWindow, DateTimeOffset now)
    {
        if (!FirstTime(TradeTrigger.PlaceOrder, records))
        {
            return;
        }

        Move(TradeTrigger.PlaceOrder, now);
        PlatformOrderId = platformOrderId;
        OrderCreatedAt = orderCreatedAt;
        PayBefore = orderCreatedAt + paymentWindow;
        AttachRecords(records);
        AmountFen = amountFen;
    }

    /// <summary>The platform accepted a pickup code: the order exists and is already paid for.</summary>
    public void StartPickup(long platformOrderId, IReadOnlyList<PlatformRecord> records, long amountFen, DateTimeOffset now)
    {
        if (Kind != TradeKind.Pickup)
        {
            throw new InvalidTransitionException("trade", Status.ToString(), nameof(TradeTrigger.StartPickup));
        }

        if (!FirstTime(TradeTrigger.StartPickup, records))
        {
            return;
        }

        Move(TradeTrigger.StartPickup, now);
        PlatformOrderId = platformOrderId;
        OrderCreatedAt = now;
        AttachRecords(records);
        AmountFen = amountFen;
    }

    public void Reject(string reason, DateTimeOffset now)
    {
        Move(TradeTrigger.Reject, now, reason);
        foreach (var line in _lines)
        {
            line.Apply(this, LineTrigger.Cancel, now, reason);
        }
    }

    public void Cancel(DateTimeOffset now) => CloseUnpaid(TradeTrigger.Cancel, now);

    public void Expire(DateTimeOffset now) => CloseUnpaid(TradeTrigger.Expire, now);

    /// <summary>Whether a payment arriving now may be kept (DESIGN §2 rule 2).</summary>
    public bool CanAcceptPayment(DateTimeOffset now) =>
        Status == TradeStatus.AwaitingPayment && PayBefore is { } deadline && now <= deadline;

    /// <summary>The customer paid at <paramref name="paidAt"/> (the provider's time; we may learn of it later, at <paramref name="now"/>).</summary>
    public void Pay(DateTimeOffset now, DateTimeOffset? paidAt = null)
    {
        if (Status == TradeStatus.AwaitingPayment && !CanAcceptPayment(paidAt ?? now))
        {
            throw new InvalidTransitionException("trade", Status.ToString(), nameof(TradeTrigger.Pay));
        }

        Move(TradeTrigger.Pay, now);
        PaidAt ??= paidAt ?? now;
    }

    /// <summary>A payment we may not keep (too late, or the platform refused the order): every line is refunded.</summary>
    public IReadOnlyList<TradeLine> RefundInFull(TradeTrigger trigger, string reason, DateTimeOffset now)
    {
        if (trigger is not (TradeTrigger.RefuseLatePayment or TradeTrigger.PlatformRefused))
        {
            throw new ArgumentOutOfRangeException(nameof(trigger));
        }

        Move(trigger, now, reason);
        PaidAt ??= now;
        foreach (var line in _lines.Where(l => l.Status == LineStatus.Pending))
        {
            line.Apply(this, LineTrigger.Cancel, now, reason);
        }

        return _lines.Where(l => l.Status is LineStatus.Cancelled).ToList();
    }

    public void ConfirmWithPlatform(DateTimeOffset now) => Move(TradeTrigger.ConfirmWithPlatform, now);

    /// <summary>Only a trade the platform knows as paid (or a consumed pickup code) may send a line to the machine.</summary>
    public void StartDispensing(int lineId, DateTimeOffset now)
    {
        if (Status != TradeStatus.Dispensing)
        {
            throw new InvalidTransitionException("trade", Status.ToString(), nameof(LineTrigger.StartDispensing));
        }

        Line(lineId).Apply(this, LineTrigger.StartDispensing, now);
    }

    public void RecordDelivery(int lineId, string? deliveryId) => Line(lineId).DeliveryId = deliveryId;

    /// <summary>Applies a dispense result; returns false when it repeats what the line already knows.</summary>
    public bool RecordDispenseResult(int lineId, bool dispensed, string? failureReason, DateTimeOffset now)
    {
        var line = Line(lineId);
        var before = line.Status;
        if (!dispensed && line.Status == LineStatus.Refunded)
        {
            // A failure repeated after its refund was paid: already taken.
            return false;
        }

        if (dispensed)
        {
            line.Apply(this, LineTrigger.ReportDispensed, now);
        }
        else if (Kind == TradeKind.Pickup)
        {
            // Nothing was paid, so nothing can be refunded: ops issue a new code (DESIGN §2 rule 9).
            line.Apply(this, LineTrigger.Escalate, now, failureReason ?? "dispense failed");
        }
        else
        {
            line.Apply(this, LineTrigger.ReportFailed, now, failureReason ?? "dispense failed");
        }

        return line.Status != before;
    }

    public void EscalateLine(int lineId, string reason, DateTimeOffset now) =>
        Line(lineId).Apply(this, LineTrigger.Escalate, now, reason);

    /// <summary>
    /// The provider took a line's refund (DESIGN §2 rule 7): the line is <c>refunding</c> until the provider confirms it.
    /// Only a purchase that took money can have one (rule 9).
    /// </summary>
    public void RequestRefund(int lineId, DateTimeOffset now)
    {
        EnsureRefundable(nameof(LineTrigger.RequestRefund));
        var line = Line(lineId);
        if (line.Status != LineStatus.Refunded)
        {
            line.Apply(this, LineTrigger.RequestRefund, now);
        }
    }

    /// <summary>The provider confirmed a line's refund; confirming twice changes nothing.</summary>
    public void RecordRefund(int lineId, DateTimeOffset now)
    {
        EnsureRefundable(nameof(LineTrigger.ConfirmRefund));
        var line = Line(lineId);
        if (line.Status is LineStatus.Failed or LineStatus.Cancelled)
        {
            // A provider that settles at once (the sandbox) confirms in the same breath as it accepts.
            line.Apply(this, LineTrigger.RequestRefund, now);
        }

        line.Apply(this, LineTrigger.ConfirmRefund, now);
    }

    /// <summary>The provider closed the refund, could not make it, or never confirmed it: a person settles the line.</summary>
    public void RefundNotMade(int lineId, string reason, DateTimeOffset now)
    {
        var line = Line(lineId);
        if (line.Status is LineStatus.Refunding or LineStatus.Failed or LineStatus.Cancelled)
        {
            line.Apply(this, LineTrigger.Escalate, now, reason);
        }
    }

    /// <summary>
    /// The provider says the customer paid a different amount than the trade's: nothing is dispensed, the payment goes
    /// back whole (outside the lines: their prices no longer describe what was paid), and a person looks (WECHATPAY §6.2).
    /// </summary>
    public void RefuseMismatchedPayment(string reason, DateTimeOffset now)
    {
        Move(TradeTrigger.RefuseMismatchedPayment, now, reason);
        PaidAt ??= now;
        foreach (var line in _lines.Where(l => l.Status == LineStatus.Pending))
        {
            line.Apply(this, LineTrigger.Cancel, now, reason);
        }
    }

    /// <summary>Ops gave the customer of a failed pickup a new code (DESIGN §2 rule 9): the trade is settled.</summary>
    public void Replace(string reason, DateTimeOffset now)
    {
        if (Kind != TradeKind.Pickup)
        {
            throw new InvalidTransitionException("trade", Status.ToString(), nameof(TradeTrigger.Replace));
        }

        Move(TradeTrigger.Replace, now, reason);
    }

    /// <summary>Derives the trade's status from its lines once none is waiting on the machine any more.</summary>
    public void Settle(DateTimeOffset now)
    {
        if (Status is not (TradeStatus.Dispensing or TradeStatus.Refunding or TradeStatus.NeedsAttention)
            || _lines.Any(l => !l.Status.IsSettled()))
        {
            return;
        }

        var attention = _lines.FirstOrDefault(l => l.Status == LineStatus.NeedsAttention);
        if (attention is not null)
        {
            if (Status != TradeStatus.NeedsAttention)
            {
                Move(TradeTrigger.Escalate, now, $"line {attention.LineId}: {attention.FailureReason}");
            }

            return;
        }

        if (_lines.Any(l => l.Status is LineStatus.Failed or LineStatus.Cancelled or LineStatus.Refunding))
        {
            if (Status != TradeStatus.Refunding)
            {
                Move(TradeTrigger.BeginRefunds, now);
            }

            return;
        }

        var refunded = _lines.Count(l => l.Status == LineStatus.Refunded);
        var trigger = refunded == 0 ? TradeTrigger.Complete
            : refunded == _lines.Count ? TradeTrigger.FinishRefundsFully
            : TradeTrigger.FinishRefundsPartially;
        Move(trigger, now);
        StatusReason = null;
    }

    /// <summary>Hands the unsaved status changes to the caller (who writes them to the timeline) and forgets them.</summary>
    public IReadOnlyList<StatusChange> TakeChanges()
    {
        var taken = _changes.ToList();
        _changes.Clear();
        return taken;
    }

    internal void Record(StatusChange change) => _changes.Add(change);

    private void EnsureRefundable(string trigger)
    {
        if (Kind != TradeKind.Purchase || PaidAt is null
            || Status is not (TradeStatus.Dispensing or TradeStatus.Refunding or TradeStatus.NeedsAttention))
        {
            throw new InvalidTransitionException("trade", Status.ToString(), trigger);
        }
    }

    private static Trade New(string tradeId, TradeKind kind, string machineNo, DateTimeOffset now) => new()
    {
        TradeId = tradeId,
        Kind = kind,
        MachineNo = machineNo,
        Status = TradeStatus.Created,
        CreatedAt = now,
        UpdatedAt = now,
    };

    private void AddLine(LineDraft item) =>
        _lines.Add(new TradeLine(TradeId, _lines.Count + 1, MachineNo, item.ProductId, item.Name, item.PriceFen, 1));

    /// <summary>Checks the records, and tells a first placement from a repeat (which must change nothing).</summary>
    private bool FirstTime(TradeTrigger trigger, IReadOnlyList<PlatformRecord> records)
    {
        if (records.Count == 0)
        {
            throw new ArgumentException("The platform order has no records.", nameof(records));
        }

        return Transitions.Next(Status, trigger) != Status;
    }

    private void CloseUnpaid(TradeTrigger trigger, DateTimeOffset now)
    {
        var before = Status;
        Move(trigger, now);
        if (before != Status)
        {
            foreach (var line in _lines)
            {
                line.Apply(this, LineTrigger.Cancel, now);
            }
        }
    }

    private void AttachRecords(IReadOnlyList<PlatformRecord> records)
    {
        if (records.Count == 0)
        {
            throw new ArgumentException("The platform order has no records.", nameof(records));
        }

        var names = _lines.GroupBy(l => l.ProductId).ToDictionary(g => g.Key, g => g.First().Name);
        _lines.Clear();
        foreach (var record in records.OrderBy(r => r.RecordId))
        {
            var quantity = Math.Max(1, record.Quantity);
            _lines.Add(new TradeLine(TradeId, _lines.Count + 1, MachineNo, record.ProductId,
                names.GetValueOrDefault(record.ProductId, string.Empty), record.PriceFen, quantity)
            {
                PlatformRecordId = record.RecordId,
            });
        }
    }

    private void Move(TradeTrigger trigger, DateTimeOffset now, string? reason = null)
    {
        var next = Transitions.Next(Status, trigger);
        UpdatedAt = now;
        if (next == Status)
        {
            return;
        }

        _changes.Add(new StatusChange(now, null, Status.ToWire(), next.ToWire(), StatusNames.Snake(trigger.ToString()), reason));
        Status = next;
        if (next is TradeStatus.NeedsAttention or TradeStatus.Rejected or TradeStatus.Replaced)
        {
            StatusReason = reason;
        }
    }
}

/// <summary>An item the customer asked for, priced by the platform's catalog.</summary>
public sealed record LineDraft(long ProductId, string Name, long PriceFen);

/// <summary>An order record as the platform reports it: one physical line.</summary>
public sealed record PlatformRecord(long RecordId, long ProductId, int Quantity, long PriceFen);

/// <summary>One entry of a trade's timeline: a status change of the trade (no line) or of one line.</summary>
public sealed record StatusChange(DateTimeOffset At, int? LineId, string From, string To, string Trigger, string? Reason);
