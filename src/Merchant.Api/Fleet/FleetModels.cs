using Merchant.Api.Trades;

namespace Merchant.Api.Fleet;

/// <summary>A machine in the ops list: its state and what needs a person.</summary>
public sealed record MachineListItem(string MachineNo, string Name, bool Online, bool Operating, int Slots, int SlotsInFault, int LowStock,
    TodayView Today)
{
    public DateTimeOffset? OfflineSince { get; init; }

    /// <summary>What the machine is dispensing now: <c>trade/line</c> or <c>test_dispense/id</c>.</summary>
    public string? Dispensing { get; init; }
}

/// <summary>A machine with every slot, by cabinet.</summary>
public sealed record MachineDetail(string MachineNo, string Name, bool Online, bool Operating, int LowStockThreshold,
    IReadOnlyList<CabinetView> Cabinets, TodayView Today)
{
    public DateTimeOffset? OfflineSince { get; init; }

    public DateTimeOffset? SeenAt { get; init; }

    public string? Dispensing { get; init; }
}

public sealed record CabinetView(string Name, IReadOnlyList<SlotView> Slots);

/// <summary>One slot: the product, its stock against capacity, and its health (DESIGN §2 rule 10).</summary>
public sealed record SlotView(string? Slot, string? Cabinet, long ProductId, string? ProductName, int? Stock, int? Capacity, bool LowStock,
    SlotHealthView Health)
{
    public SlotFailureView? LastFailure { get; init; }
}

/// <summary><c>status</c> is <c>ok</c> or <c>fault</c>; a slot in fault sells nothing until ops clear it.</summary>
public sealed record SlotHealthView(string Status, int? FloorStatus, string FloorStatusName)
{
    public string? Reason { get; init; }

    public DateTimeOffset? Since { get; init; }

    /// <summary>Lines that failed here while the fault was already known: alerts that were missed.</summary>
    public int FailuresWhileFaulted { get; init; }

    public DateTimeOffset? ClearedAt { get; init; }

    public string? ClearedBy { get; init; }
}

public sealed record SlotFailureView(DateTimeOffset At, string? Reason, int? FloorStatus);

/// <summary>Since midnight UTC: trades created, refunds confirmed and their amount.</summary>
public sealed record TodayView(int Trades, int Refunds, string Refunded);

/// <summary>
/// Restock one product, one category or the whole machine (CONTRACT §3.8). <c>stock</c> is the count each slot will hold
/// (required with <c>product_id</c> or <c>category_id</c>; <c>all</c> fills every slot to capacity). <c>cabinet</c> narrows a
/// category or the whole machine; <c>clear_faults</c> also clears the faults of the restocked slots.
/// </summary>
public sealed record RestockRequest(long? ProductId, long? CategoryId, bool? All, int? Stock, string? Cabinet, bool? ClearFaults);

public sealed record RestockResult(string MachineNo, string Scope, IReadOnlyList<long> Restocked, IReadOnlyList<long> FaultsCleared,
    IReadOnlyList<SlotView> Slots);

public sealed record SlotClearResult(bool Cleared, SlotView Slot);

/// <summary><c>slot</c> is the slot's label (e.g. <c>A11</c>). <c>wait: false</c>: 409 <c>machine_busy</c> instead of queueing.</summary>
public sealed record TestDispenseRequest(string? Slot, bool? Wait);

/// <summary>A test dispense: <c>queued</c> → <c>dispensing</c> → <c>succeeded</c> | <c>failed</c> | <c>unknown</c>.</summary>
public sealed record TestDispenseView(long TestDispenseId, string MachineNo, string Slot, long ProductId, string Status,
    DateTimeOffset RequestedAt)
{
    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public int? FloorStatus { get; init; }

    public string? FailReason { get; init; }

    /// <summary>The slot was in fault and this success cleared it.</summary>
    public bool ClearedFault { get; init; }
}

/// <summary>Codes for one product, or every product of the machine without <c>product_id</c>; <c>length</c> 6–10.</summary>
public sealed record PickupCodesRequest(long? ProductId, int Count, int? Length, DateTimeOffset? ExpiresAt);

/// <summary>Codes just generated. <c>code</c> is in this answer only (<c>codes_shown</c>); a replay shows the last digits.</summary>
public sealed record GeneratedCodes(string MachineNo, bool CodesShown, IReadOnlyList<IssuedCode> Codes);

public sealed record IssuedCode(long PickupCodeId, long ProductId, string CodeHint, DateTimeOffset? ExpiresAt)
{
    public string? Code { get; init; }
}

/// <summary>An unused code as the platform lists it; only its last digits, never the code.</summary>
public sealed record PickupCodeView(long PickupCodeId, long ProductId, string CodeHint, string Status, int Quantity, bool IssuedByUs)
{
    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public string? ReplacesTradeId { get; init; }
}

/// <summary>One code (<c>pickup_code_id</c>), every unused code of a product (<c>all</c> + <c>product_id</c>), or of the machine (<c>all</c>).</summary>
public sealed record CancelCodesRequest(long? PickupCodeId, bool? All, long? ProductId);

public sealed record CancelledCodes(string MachineNo, IReadOnlyList<long> PickupCodeIds);

/// <summary>Optional: when the replacement expires and its length.</summary>
public sealed record ReplacementCodeRequest(DateTimeOffset? ExpiresAt, int? Length);

public sealed record ReplacementCode(TradeResponse Trade, IssuedCode PickupCode);

/// <summary>Something a person should act on, since when, and what to do.</summary>
public sealed record AlertView(string Kind, string MachineNo, DateTimeOffset Since, string Detail, string Action)
{
    public string? Slot { get; init; }

    public long? ProductId { get; init; }

    public string? TradeId { get; init; }

    public int? LineId { get; init; }
}

/// <summary>Open alerts; <c>stale</c> when the platform could not be read and machine and stock facts are the last known.</summary>
public sealed record AlertList(DateTimeOffset At, AlertCounts Counts, IReadOnlyList<AlertView> Items, bool Stale);

public sealed record AlertCounts(int MachineOffline, int SlotFault, int LowStock, int NeedsAttention, int RefundUnconfirmed)
{
    public int Total => MachineOffline + SlotFault + LowStock + NeedsAttention + RefundUnconfirmed;
}
