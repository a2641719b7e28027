using Merchant.Api.Trades;

namespace Merchant.Api.Ops;

/// <summary>
/// A page of the ops search, newest first. <c>next_cursor</c> fetches the next page (null on the last); <c>page</c> is set
/// when the request paged by number; <c>total</c> only when the filter matches at most 10,000 trades, else <c>total_estimate</c>.
/// </summary>
public sealed record TradePage(IReadOnlyList<TradeSummary> Items, string? NextCursor, int PageSize)
{
    public int? Page { get; init; }

    public int? Total { get; init; }

    public long? TotalEstimate { get; init; }
}

public sealed record TradeSummary(string TradeId, string Kind, string MachineNo, string Status, string Amount, string RefundedAmount,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int Lines);

/// <summary>A trade as ops see it: the trade object plus everything that happened to it, in order.</summary>
public sealed record TradeDetail(TradeResponse Trade, IReadOnlyList<TimelineEntry> Timeline, IReadOnlyList<RefundView> Refunds,
    IReadOnlyList<JobView> Jobs);

public sealed record TimelineEntry(DateTimeOffset At, string Kind, string Actor, int? LineId, string Summary, string? Outcome, int? DurationMs);

public sealed record RefundView(string RefundKey, int LineId, string Amount, string Status, string Reason, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt);

public sealed record JobView(long JobId, string Kind, string? TradeId, int? LineId, string Status, int Attempts, DateTimeOffset RunAt,
    DateTimeOffset Deadline, string? LastError);

public sealed record Summary(
    DateTimeOffset At,
    IReadOnlyDictionary<string, int> TradesByStatus,
    IReadOnlyList<MachineSummaryView> Machines,
    StuckWork Stuck,
    MoneyToday Today)
{
    /// <summary>Open alerts by kind (GET /api/v1/ops/alerts lists them), from our tables as last refreshed.</summary>
    public Fleet.AlertCounts? Alerts { get; init; }
}

public sealed record MachineSummaryView(string MachineNo, IReadOnlyDictionary<string, int> TradesByStatus, string? Dispensing);

public sealed record StuckWork(int JobsPastDeadline, int JobsGivenUp, int LinesNeedingAttention, IReadOnlyList<JobView> OldestJobs);

public sealed record MoneyToday(string Taken, string Refunded, string Currency)
{
    /// <summary>Per payment provider: paid and refunded today, and refunds the provider took and has not confirmed (any day).</summary>
    public IReadOnlyDictionary<string, ProviderMoney> ByProvider { get; init; } = new Dictionary<string, ProviderMoney>();
}

public sealed record ProviderMoney(string Paid, string Refunding, string Refunded);
