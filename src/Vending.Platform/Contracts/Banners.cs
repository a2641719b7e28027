namespace Vending.Platform;

/// <summary>One banner of a machine (CONTRACT §3.1a): the platform answers only approved, visible ones, at most five.</summary>
public sealed record Banner
{
    public long Id { get; init; }

    /// <summary>e.g. <c>APPROVED</c>.</summary>
    public string Status { get; init; } = "";

    public bool IsVisible { get; init; }

    /// <summary>The image URL.</summary>
    public string CoverImage { get; init; } = "";

    public int SortId { get; init; }

    public long HitCount { get; init; }

    public long ViewsCount { get; init; }
}
