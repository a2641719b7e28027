namespace Merchant.Domain;

/// <summary>One physical item of a trade: one platform record, one dispense command, at most one refund.</summary>
public sealed class TradeLine
{
    internal TradeLine(string tradeId, int lineId, string machineNo, long productId, string name, long priceFen, int quantity)
    {
        TradeId = tradeId;
        LineId = lineId;
        MachineNo = machineNo;
        ProductId = productId;
        Name = name;
        PriceFen = priceFen;
        Quantity = quantity;
        Status = LineStatus.Pending;
    }

    private TradeLine()
    {
        TradeId = string.Empty;
        MachineNo = string.Empty;
        Name = string.Empty;
    }

    public string TradeId { get; private set; }

    public int LineId { get; private set; }

    /// <summary>Copied from the trade so PostgreSQL can hold "one dispensing line per machine" in an index.</summary>
    public string MachineNo { get; private set; }

    public long ProductId { get; private set; }

    public string Name { get; private set; }

    /// <summary>The line total as the platform priced it.</summary>
    public long PriceFen { get; private set; }

    public int Quantity { get; private set; }

    public long? PlatformRecordId { get; internal set; }

    public LineStatus Status { get; private set; }

    public string? FailureReason { get; internal set; }

    public string? DeliveryId { get; internal set; }

    public DateTimeOffset? DispatchedAt { get; private set; }

    public DateTimeOffset? SettledAt { get; private set; }

    internal void Apply(Trade trade, LineTrigger trigger, DateTimeOffset now, string? reason = null)
    {
        var next = Transitions.Next(Status, trigger);
        if (next == Status)
        {
            return;
        }

        trade.Record(new StatusChange(now, LineId, Status.ToWire(), next.ToWire(), StatusNames.Snake(trigger.ToString()), reason));
        Status = next;
        if (next == LineStatus.Dispensing)
        {
            DispatchedAt = now;
        }
        else if (next.IsSettled())
        {
            SettledAt ??= now;
        }

        if (next is LineStatus.Failed or LineStatus.NeedsAttention && reason is not null)
        {
            FailureReason ??= reason;
        }
    }
}
