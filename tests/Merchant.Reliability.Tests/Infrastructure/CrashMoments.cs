using System.Diagnostics;

namespace Merchant.Reliability.Tests.Infrastructure;

/// <summary>
/// Chooses when to SIGKILL an API process during a load so the kill finds work in flight: once the load has made progress,
/// after a random pause, and only when the database shows work in flight (a trade paid or dispensing, a failed line
/// awaiting its refund, an unapplied callback). Every wait is bounded; on a starved machine the first checkout of a
/// fresh process takes seconds, so a kill timed by the clock alone could find nothing to interrupt.
/// </summary>
public sealed class CrashMoments(InvariantChecker checker, Load load, Task running, int trades, int kills, TimeSpan loadFor, Random random)
{
    private static readonly TimeSpan EvidenceWithin = TimeSpan.FromSeconds(30);
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public TimeSpan Elapsed => _clock.Elapsed;

    public List<string> Timeline { get; } = [];

    /// <summary>The units of work in flight measured right before each kill.</summary>
    public List<long> InFlightAtKills { get; } = [];

    public TimeSpan LastKill { get; private set; }

    /// <summary>
    /// Waits for the moment of kill number <paramref name="kill"/> (0-based) and answers the work in flight then, or null when
    /// the load is over. The kills fall in the first 40 % of the load, so the run outlives them; each waits for its share of
    /// the checkouts or, on a slow machine, the end of its time slice provided a checkout was served since the last kill.
    /// </summary>
    public async Task<long?> WaitAsync(int kill)
    {
        var slice = loadFor * 0.4 / kills;
        var latest = slice * (kill + 1);
        var progress = (kill + 1) * trades / (kills + 2);
        var servedBefore = load.CheckedOut;
        while (!running.IsCompleted && load.CheckedOut < progress
               && (_clock.Elapsed < latest || (load.CheckedOut == servedBefore && _clock.Elapsed < latest + TimeSpan.FromSeconds(8))))
        {
            await Task.Delay(100);
        }

        await Task.Delay(TimeSpan.FromMilliseconds(random.Next(0, 1500)));
        var until = _clock.Elapsed + EvidenceWithin;
        while (!running.IsCompleted)
        {
            var inFlight = await checker.InFlightAsync();
            if (inFlight > 0 || _clock.Elapsed > until)
            {
                return inFlight;
            }

            await Task.Delay(50);
        }

        return null;
    }

    public void Killed(int pid, long inFlight, string what)
    {
        InFlightAtKills.Add(inFlight);
        LastKill = _clock.Elapsed;
        Figures.Add("kills");
        Note($"SIGKILL {what} pid {pid} with {inFlight} unit(s) of work in flight ({load})");
    }

    public void Note(string text) => Timeline.Add($"{_clock.Elapsed.TotalSeconds:0.0}s {text}");

    /// <summary>
    /// A checkout killed mid-call leaves a `created` trade that is rejected only when its 60 s create-order lease runs out:
    /// waits (up to 90 s after the last kill) until none is left, and notes how many there were.
    /// </summary>
    public async Task WaitForInterruptedCheckoutsAsync(string connectionString)
    {
        var interrupted = await CreatedAsync(connectionString);
        while (await CreatedAsync(connectionString) > 0 && _clock.Elapsed < LastKill + TimeSpan.FromSeconds(90))
        {
            await Task.Delay(500);
        }

        Note($"{interrupted} interrupted checkout(s) were still `created`; {await CreatedAsync(connectionString)} now");
    }

    private static async Task<long> CreatedAsync(string connectionString)
    {
        await using var connection = await CheckData.OpenAsync(connectionString);
        await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM trades WHERE status = 'created'", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
