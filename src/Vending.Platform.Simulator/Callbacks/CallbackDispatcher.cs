using System.Net.Http.Json;
using Vending.Platform.Simulator.Faults;
using Vending.Platform.Simulator.State;

namespace Vending.Platform.Simulator.Callbacks;

/// <summary>Posts dispense results to notify_url once each (no retries), applying scripted callback faults.</summary>
internal sealed class CallbackDispatcher(SimulatorState state) : BackgroundService
{
    private static readonly TimeSpan DefaultDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan DefaultReorderWait = TimeSpan.FromSeconds(2);

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly Lock _tailsGate = new();
    private readonly Dictionary<string, Task> _tails = new(StringComparer.Ordinal);
    private CancellationToken _stopping;

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        try
        {
            await foreach (var job in state.CallbackQueue.Reader.ReadAllAsync(stoppingToken))
            {
                Dispatch(job);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; unsent callbacks are lost, as on the real platform.
        }
    }

    private void Dispatch(CallbackJob job)
    {
        List<CallbackJob>? flush = null;
        var startReorderTimer = false;
        CallbackFault? fault;
        lock (state.Gate)
        {
            fault = state.TakeCallbackFaultUnlocked(job.MachineNo);
            switch (fault?.Mode)
            {
                case CallbackFaultMode.Drop:
                    state.LogCallbackUnlocked(job, "dropped", pending: false);
                    Log.CallbackSent(state.Logger, job.OrderId, job.RecordId, "dropped");
                    return;
                case CallbackFaultMode.Reorder:
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
                Send(job, null);
                break;
            case CallbackFaultMode.Duplicate:
                Send(job, "duplicated");
                Send(job, "duplicated");
                break;
            case CallbackFaultMode.Delay:
                _ = SendLaterAsync([job], fault.DelayMs is { } ms ? TimeSpan.FromMilliseconds(ms) : DefaultDelay, "delayed");
                break;
            case CallbackFaultMode.Reorder when flush is not null:
                SendAll(flush);
                break;
            case CallbackFaultMode.Reorder when startReorderTimer:
                _ = FlushReorderLaterAsync(fault);
                break;
        }
    }

    private async Task FlushReorderLaterAsync(CallbackFault fault)
    {
        try
        {
            await Task.Delay(fault.DelayMs is { } ms ? TimeSpan.FromMilliseconds(ms) : DefaultReorderWait, _stopping);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        List<CallbackJob> flush;
        lock (state.Gate)
        {
            if (fault.Flushed)
            {
                return;
            }

            flush = TakeHeldUnlocked(fault);
        }

        SendAll(flush);
    }

    private List<CallbackJob> TakeHeldUnlocked(CallbackFault fault)
    {
        fault.Flushed = true;
        state.CallbackFaults.Remove(fault);
        var held = fault.Held.ToList();
        held.Reverse();
        return held;
    }

    private void SendAll(List<CallbackJob> jobs)
    {
        foreach (var job in jobs)
        {
            Send(job, "reordered");
        }
    }

    private async Task SendLaterAsync(List<CallbackJob> jobs, TimeSpan delay, string fault)
    {
        try
        {
            await Task.Delay(delay, _stopping);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        foreach (var job in jobs)
        {
            Send(job, fault);
        }
    }

    // Callbacks of one machine go out in order; machines do not wait for each other.
    private void Send(CallbackJob job, string? fault)
    {
        lock (_tailsGate)
        {
            var previous = _tails.GetValueOrDefault(job.MachineNo) ?? Task.CompletedTask;
            _tails[job.MachineNo] = SendAfterAsync(previous, job, fault);
        }
    }

    private async Task SendAfterAsync(Task previous, CallbackJob job, string? fault)
    {
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        CallbackLogEntry entry;
        lock (state.Gate)
        {
            entry = state.LogCallbackUnlocked(job, fault, pending: true);
        }

        try
        {
            using var response = await _http.PostAsJsonAsync(job.Url, job.Body, _stopping);
            state.CompleteCallback(entry, (int)response.StatusCode, null);
            Log.CallbackSent(state.Logger, job.OrderId, job.RecordId, $"HTTP {(int)response.StatusCode}");
        }
        catch (Exception e)
        {
            // Any failure ends this callback; the platform never retries.
            var error = e is TaskCanceledException && !_stopping.IsCancellationRequested ? "timeout" : e.Message;
            state.CompleteCallback(entry, null, error);
            Log.CallbackSent(state.Logger, job.OrderId, job.RecordId, error);
        }
    }
}
