using WeChatPay.Simulator.Control;
using WeChatPay.Simulator.Notifications;
using WeChatPay.Simulator.Refunds;
using WeChatPay.Simulator.State;

namespace WeChatPay.Simulator.Faults;

/// <summary>Scripts endpoint faults, notification faults and refund outcomes; lists and clears them.</summary>
internal sealed class FaultControl(SimState state)
{
    private const int MaxFaultCount = 10_000;

    public IResult AddEndpointFault(EndpointFaultRequest request)
    {
        if (request.Endpoint is null || !FaultNames.Endpoints.Contains(request.Endpoint))
        {
            return BadRequest($"endpoint must be one of {string.Join(", ", FaultNames.Endpoints)}");
        }

        if (!FaultNames.EndpointModes.TryParse(request.Mode, out var mode))
        {
            return BadRequest($"mode must be one of {FaultNames.EndpointModes.OneOf}");
        }

        if (request.Status is < 400 or > 599)
        {
            return BadRequest("status must be an HTTP error status (400-599)");
        }

        return Add(request.Count, request.DelayMs, state.EndpointFaults, $"endpoint fault {request.Mode} on {request.Endpoint}", ControlViews.EndpointFault, () => new EndpointFault
        {
            Id = state.NewFaultId(),
            Endpoint = request.Endpoint,
            OutTradeNo = request.OutTradeNo,
            Mode = mode,
            Remaining = Remaining(request.Count, request.Sticky),
            DelayMs = request.DelayMs,
            Status = request.Status,
            Code = request.Code,
        });
    }

    public IResult AddNotificationFault(NotificationFaultRequest request)
    {
        if (!FaultNames.NotificationModes.TryParse(request.Mode, out var mode))
        {
            return BadRequest($"mode must be one of {FaultNames.NotificationModes.OneOf}");
        }

        if (mode == NotificationFaultMode.Reorder && request.Sticky == true)
        {
            return BadRequest("reorder holds a counted batch; it cannot be sticky");
        }

        return Add(request.Count, request.DelayMs, state.NotificationFaults, $"notification fault {request.Mode}", ControlViews.NotificationFault, () => new NotificationFault
        {
            Id = state.NewFaultId(),
            Mode = mode,
            OutTradeNo = request.OutTradeNo,
            EventType = request.EventType,
            Remaining = Remaining(request.Count, request.Sticky),
            DelayMs = request.DelayMs,
        });
    }

    public IResult AddRefundOutcome(RefundOutcomeRequest request)
    {
        if (!RefundOutcomes.Names.TryParse(request.Outcome, out var outcome))
        {
            return BadRequest($"outcome must be one of {RefundOutcomes.Names.OneOf}");
        }

        return Add(request.Count, request.DelayMs, state.RefundScripts, $"refund outcome {request.Outcome}", ControlViews.RefundOutcome, () => new RefundScript
        {
            Id = state.NewFaultId(),
            Outcome = outcome,
            OutTradeNo = request.OutTradeNo,
            OutRefundNo = request.OutRefundNo,
            Remaining = Remaining(request.Count, request.Sticky),
            DelayMs = request.DelayMs,
        });
    }

    public FaultsView Faults()
    {
        lock (state.Gate)
        {
            return new FaultsView(
                state.EndpointFaults.Select(ControlViews.EndpointFault).ToList(),
                state.NotificationFaults.Select(ControlViews.NotificationFault).ToList(),
                state.RefundScripts.Select(ControlViews.RefundOutcome).ToList());
        }
    }

    public FaultsView Clear(string? outTradeNo)
    {
        List<NotificationJob> held;
        lock (state.Gate)
        {
            held = state.ReleaseHeldUnlocked(outTradeNo);
            state.EndpointFaults.RemoveAll(f => outTradeNo is null || f.OutTradeNo == outTradeNo);
            state.RefundScripts.RemoveAll(s => outTradeNo is null || s.OutTradeNo == outTradeNo);
        }

        foreach (var job in held)
        {
            state.Enqueue(job);
        }

        Log.Control(state.Logger, $"faults cleared for {outTradeNo ?? "every trade"}");
        return Faults();
    }

    private IResult Add<T, TView>(int? count, int? delayMs, List<T> list, string description, Func<T, TView> view, Func<T> create)
        where T : FaultSwitch
    {
        if (count is < 1 or > MaxFaultCount || delayMs is < 0)
        {
            return BadRequest($"count must be 1 to {MaxFaultCount} and delay_ms >= 0");
        }

        lock (state.Gate)
        {
            var item = create();
            list.Add(item);
            Log.Control(state.Logger, description);
            return Results.Ok(view(item));
        }
    }

    private static int? Remaining(int? count, bool? sticky) => sticky == true ? null : count ?? 1;

    private static IResult BadRequest(string error) => Results.BadRequest(new ErrorView(error));
}
