namespace WeChatPay.Simulator.State;

/// <summary>Business time (time_expire, success_time, refund settling): the wall clock plus an offset tests can advance.</summary>
/// <remarks>Signature timestamps use the wall clock: the merchant signs with its own real clock.</remarks>
public sealed class SimClock : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public DateTimeOffset Now => DateTimeOffset.UtcNow + Offset;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _offsetTicks, by.Ticks);
    }
}
