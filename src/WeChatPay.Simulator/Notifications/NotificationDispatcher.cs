using WeChatPay.Simulator.Crypto;
using WeChatPay.Simulator.Faults;
using WeChatPay.Simulator.State;

namespace WeChatPay.Simulator.Notifications;

/// <summary>Delivers notifications on WeChat's retry schedule (compressed by a factor), applying scripted notification faults.</summary>
internal sealed class NotificationDispatcher(SimState state, NotificationSender sender) : BackgroundService
{
    // The waits before the 2nd … 16th attempt (WECHATPAY.md §3).
    public static readonly IReadOnlyList<TimeSpan> Schedule =
    [
        TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(3),
        TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(30),
        TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(60), TimeSpan.FromHours(3), TimeSpan.FromHours(3),
        TimeSpan.FromHours(3), TimeSpan.FromHours(6), TimeSpan.FromHours(6),
    ];

    private static readonly TimeSpan DefaultDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan DefaultReorderWait = TimeSpan.FromSeconds(2);

    private CancellationToken _stopping;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        try
        {
            await foreach (var job in state.Outbox.Reader.ReadAllAsync(stoppingToken))
            {
                Dispatch(job);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; undelivered notifications are lost with the rest of the in-memory state.
        }
    }

    private void Dispatch(NotificationJob job)
    {
        List<NotificationJob>? flush = null;
        var startReorderTimer = false;
        NotificationFault? fault;
        lock (state.Gate)
        {
            var entry = job.Entry;
            fault = state.NotificationFaults.Find(f => f.Matches(entry.OutTradeNo) && f.MatchesEvent(entry.EventType));
            if (fault is not null)
            {
                entry.Fault = FaultNames.NotificationModes.Key(fault.Mode);
                if (fault.Use() && fault.Mode != NotificationFaultMode.Reorder)
                {
                    state.NotificationFaults.Remove(fault);
                }
            }

            switch (fault?.Mode)
            {
                case NotificationFaultMode.Drop:
                    entry.Status = DeliveryStatus.Dropped;
                    Log.NotificationSent(state.Logger, entry.Id, entry.EventType, "dropped");
                    return;
                case NotificationFaultMode.Delay:
                    entry.Status = DeliveryStatus.Delayed;
                    break;
                case NotificationFaultMode.Reorder:
                    entry.Status = DeliveryStatus.Held;
                    fault.Held.Add(job);
                    if (fault.Remaining <= 0 && !fault.Flushed)
                    {
                        flush = TakeHeldUnlocked(fault);
                    }
                    else
                    {
                        startReorderTimer = fault.Held.Count == 1;
                    }

                    break;
            }
        }

        switch (fault?.Mode)
        {
            case null:
                _ = DeliverAsync(job, SignatureFault.None, copy: 1);
                break;
            case NotificationFaultMode.Duplicate:
                _ = DeliverAsync(job, SignatureFault.None, copy: 1);
                _ = DeliverAsync(job, SignatureFault.None, copy: 2);
                break;
            case NotificationFaultMode.StaleTimestamp:
                _ = DeliverAsync(job, SignatureFault.StaleTimestamp, copy: 1);
                break;
            case NotificationFaultMode.BadSignature:
                _ = DeliverAsync(job, SignatureFault.BadSignature, copy: 1);
                break;
            case NotificationFaultMode.Delay:
                _ = DeliverLaterAsync(job, fault.DelayMs is { } ms ? TimeSpan.FromMilliseconds(ms) : DefaultDelay);
                break;
            case NotificationFaultMode.Reorder when flush is not null:
                _ = SendInOrderAsync(flush);
                break;
            case NotificationFaultMode.Reorder when startReorderTimer:
                _ = FlushLaterAsync(fault);
                break;
        }
    }

    private List<NotificationJob> TakeHeldUnlocked(NotificationFault fault)
    {
        fault.Flushed = true;
        state.NotificationFaults.Remove(fault);
        var held = fault.Held.ToList();
        held.Reverse();
        return held;
    }

    private async Task FlushLaterAsync(NotificationFault fault)
    {
        if (!await WaitAsync(fault.DelayMs is { } ms ? TimeSpan.FromMilliseconds(ms) : DefaultReorderWait))
        {
            return;
        }

        List<NotificationJob> flush;
        lock (state.Gate)
        {
            if (fault.Flushed)
            {
                return;
            }

            flush = TakeHeldUnlocked(fault);
        }

        await SendInOrderAsync(flush);
    }

    // Held notifications arrive in the reversed order: each first attempt ends before the next starts.
    private async Task SendInOrderAsync(List<NotificationJob> jobs)
    {
        foreach (var job in jobs)
        {
            if (!await AttemptAsync(job, copy: 1, number: 1, SignatureFault.None))
            {
                _ = RetryAsync(job, copy: 1);
            }
        }
    }

    private async Task DeliverLaterAsync(NotificationJob job, TimeSpan delay)
    {
        if (await WaitAsync(delay))
        {
            await DeliverAsync(job, SignatureFault.None, copy: 1);
        }
    }

    // A signature fault spoils the first attempt only, so the retry that follows shows recovery.
    private async Task DeliverAsync(NotificationJob job, SignatureFault firstAttemptFault, int copy)
    {
        if (!await AttemptAsync(job, copy, number: 1, firstAttemptFault))
        {
            await RetryAsync(job, copy);
        }
    }

    private async Task RetryAsync(NotificationJob job, int copy)
    {
        for (var number = 2; ; number++)
        {
            var settings = state.Settings;
            if (number > Math.Min(settings.NotifyMaxAttempts, Schedule.Count + 1))
            {
                lock (state.Gate)
                {
                    if (job.Entry.Status != DeliveryStatus.Delivered)
                    {
                        job.Entry.Status = DeliveryStatus.Failed;
                    }
                }

                return;
            }

            if (!await WaitAsync(Schedule[number - 2] / settings.NotifyRetryFactor)
                || await AttemptAsync(job, copy, number, SignatureFault.None))
            {
                return;
            }
        }
    }

    private async Task<bool> AttemptAsync(NotificationJob job, int copy, int number, SignatureFault fault)
    {
        var entry = job.Entry;
        lock (state.Gate)
        {
            if (entry.Status != DeliveryStatus.Delivered)
            {
                entry.Status = DeliveryStatus.Sending;
            }
        }

        var (status, error) = await sender.PostAsync(entry.Url, entry.Body, sender.Sign(entry.Body, fault), _stopping);
        if (_stopping.IsCancellationRequested)
        {
            return true;
        }

        var delivered = status is >= 200 and < 300;
        lock (state.Gate)
        {
            entry.Attempts.Add(new NotificationAttempt(copy, number, DateTimeOffset.UtcNow, status, error, SignatureName(fault)));
            entry.Status = delivered || entry.Status == DeliveryStatus.Delivered ? DeliveryStatus.Delivered : DeliveryStatus.Retrying;
        }

        Log.NotificationSent(state.Logger, entry.Id, entry.EventType, status is { } code ? $"HTTP {code}" : error ?? "no answer");
        return delivered;
    }

    private async Task<bool> WaitAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _stopping);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static string SignatureName(SignatureFault fault) => fault switch
    {
        SignatureFault.StaleTimestamp => "stale_timestamp",
        SignatureFault.BadSignature => "bad_signature",
        _ => "ok",
    };
}
