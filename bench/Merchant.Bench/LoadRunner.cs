using System.Collections.Concurrent;
using System.Diagnostics;

namespace Merchant.Bench;

/// <summary>
/// A closed-loop load generator: <c>connections</c> workers, each with one request in flight, until the duration
/// or the request cap is reached, whichever comes first. Latencies of successful requests go to the histogram;
/// failures are counted by kind (HTTP status or exception type).
/// </summary>
public static class LoadRunner
{
    /// <param name="action">sends request number <c>n</c>; returns null on success or a failure kind.</param>
    public static async Task<LoadResult> RunAsync(int connections, TimeSpan duration, long maxRequests,
        Func<long, CancellationToken, Task<string?>> action, TimeSpan? warmup = null)
    {
        if (warmup is { } w && w > TimeSpan.Zero)
        {
            await RunCoreAsync(connections, w, maxRequests, action);
        }

        return await RunCoreAsync(connections, duration, maxRequests, action);
    }

    private static async Task<LoadResult> RunCoreAsync(int connections, TimeSpan duration, long maxRequests,
        Func<long, CancellationToken, Task<string?>> action)
    {
        var histogram = new Histogram();
        var errors = new ConcurrentDictionary<string, long>();
        long issued = 0;
        var clock = Stopwatch.StartNew();
        // A hard stop a little after the duration, so a hung request cannot hold the run.
        using var hardStop = new CancellationTokenSource(duration + TimeSpan.FromSeconds(30));
        var workers = Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration && !hardStop.IsCancellationRequested)
            {
                var n = Interlocked.Increment(ref issued);
                if (n > maxRequests)
                {
                    return;
                }

                var started = Stopwatch.GetTimestamp();
                string? failure;
                try
                {
                    failure = await action(n, hardStop.Token);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OperationCanceledException or IOException)
                {
                    failure = e.GetType().Name;
                }

                if (failure is null)
                {
                    histogram.RecordTicks(Stopwatch.GetTimestamp() - started);
                }
                else
                {
                    errors.AddOrUpdate(failure, 1, (_, c) => c + 1);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var elapsed = clock.Elapsed;
        var result = new LoadResult(connections, elapsed, histogram, new Dictionary<string, long>(errors));
        if (result.ErrorCount > 0 || histogram.Count == 0)
        {
            BenchStack.Problem($"load at {connections} connections: {histogram.Count} ok, errors {result.ErrorSummary}");
        }

        return result;
    }
}

public sealed record LoadResult(int Connections, TimeSpan Elapsed, Histogram Latency, IReadOnlyDictionary<string, long> Errors)
{
    public long Ok => Latency.Count;

    public long ErrorCount => Errors.Values.Sum();

    public double PerSecond => Ok / Elapsed.TotalSeconds;

    public string ErrorSummary => Errors.Count == 0 ? "0" : $"{ErrorCount} ({string.Join(", ", Errors.Select(e => $"{e.Key}×{e.Value}"))})";
}
