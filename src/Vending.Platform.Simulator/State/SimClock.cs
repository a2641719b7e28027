using System.Diagnostics;

namespace Vending.Platform.Simulator.State;

/// <summary>The simulated clock: start + manual offset + elapsed real time × speed.</summary>
public sealed class SimClock : TimeProvider
{
    private readonly Lock _gate = new();
    private DateTimeOffset _anchorSim;
    private long _anchorTimestamp;
    private double _speed;
    private double _offsetSeconds;

    public SimClock(DateTimeOffset start, double speed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(speed);
        _anchorSim = start;
        _anchorTimestamp = Stopwatch.GetTimestamp();
        _speed = speed;
    }

    public DateTimeOffset Now
    {
        get
        {
            lock (_gate)
            {
                return CurrentUnlocked();
            }
        }
    }

    public double Speed
    {
        get
        {
            lock (_gate)
            {
                return _speed;
            }
        }
    }

    public double OffsetSeconds
    {
        get
        {
            lock (_gate)
            {
                return _offsetSeconds;
            }
        }
    }

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        lock (_gate)
        {
            Reanchor();
            _anchorSim += by;
            _offsetSeconds += by.TotalSeconds;
        }
    }

    public void SetSpeed(double speed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(speed);
        lock (_gate)
        {
            Reanchor();
            _speed = speed;
        }
    }

    private void Reanchor()
    {
        var timestamp = Stopwatch.GetTimestamp();
        _anchorSim = CurrentUnlocked(timestamp);
        _anchorTimestamp = timestamp;
    }

    private DateTimeOffset CurrentUnlocked(long? timestamp = null)
    {
        var elapsed = Stopwatch.GetElapsedTime(_anchorTimestamp, timestamp ?? Stopwatch.GetTimestamp());
        return _anchorSim + TimeSpan.FromTicks((long)(elapsed.Ticks * _speed));
    }
}
