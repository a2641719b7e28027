using System.Text.Json.Nodes;
using Vending.Platform.Simulator.Callbacks;
using Vending.Platform.Simulator.State;

namespace Vending.Platform.Simulator.Deliveries;

/// <summary>The simulated devices: reports results when due, and the platform's 120 s fallback.</summary>
internal static class DeviceEngine
{
    public static void FireDue(SimulatorState state, DateTimeOffset now)
    {
        if (state.Running.Count == 0)
        {
            return;
        }

        var due = state.Running
            .Select(d => (Delivery: d, At: d.ResultDueAt is { } result && result < d.TimeoutAt ? result : d.TimeoutAt))
            .Where(x => x.At <= now)
            .OrderBy(x => x.At).ThenBy(x => x.Delivery.Seq)
            .ToList();
        foreach (var (delivery, at) in due)
        {
            if (delivery.ResultDueAt is { } result && result < delivery.TimeoutAt)
            {
                Finish(state, delivery, delivery.PlannedOutcome, at, delivery.PlannedReason, delivery.PlannedFloorStatus);
            }
            else
            {
                Finish(state, delivery, DeviceOutcome.Timeout, at, FailureTexts.DeviceTimeout, FailureTexts.TimeoutFloorStatus);
            }
        }
    }

    private static void Finish(
        SimulatorState state, Delivery delivery, DeviceOutcome outcome, DateTimeOffset at, string? reason, int floorStatus)
    {
        state.Running.Remove(delivery);
        delivery.Outcome = outcome;
        delivery.FinishedAt = at;
        delivery.FinishedAtReal = DateTimeOffset.UtcNow;
        delivery.FailReason = outcome == DeviceOutcome.Success ? null : reason;
        delivery.FloorStatus = outcome == DeviceOutcome.Success ? 1 : floorStatus;

        if (state.Machines.TryGetValue(delivery.MachineNo, out var machine) && machine.ActiveDeliveryId == delivery.Id)
        {
            machine.ActiveDeliveryId = null;
            if (at < machine.LockedUntil)
            {
                machine.LockedUntil = at;
            }
        }

        var record = state.Orders.GetValueOrDefault(delivery.OrderId)?.Records.Find(r => r.Id == delivery.RecordId);
        if (record is not null)
        {
            record.Status = outcome switch
            {
                DeviceOutcome.Success => RecordStatus.IsSuccess,
                DeviceOutcome.Failed => RecordStatus.IsFailed,
                _ => RecordStatus.IsTimeout,
            };
        }

        // The slot now reports what this command found (CONTRACT §3.1a); /floors shows it.
        if (record is not null && state.Products.TryGetValue(record.ProductId, out var slot))
        {
            slot.FloorStatus = delivery.FloorStatus;
        }

        // A test dispense drops a real item; paid lines were taken from stock when the order was created.
        if (delivery.IsDebug && outcome == DeviceOutcome.Success && record is not null
            && state.Products.TryGetValue(record.ProductId, out var product) && product.Stock > 0)
        {
            product.Stock--;
        }

        Log.DispenseFinished(state.Logger, delivery.MachineNo, delivery.Id, delivery.Status);
        if (delivery.NotifyUrl is { } url)
        {
            state.Enqueue(new CallbackJob(delivery.MachineNo, delivery.OrderId, delivery.RecordId, url, Body(state, delivery)));
        }
    }

    // Failure texts alternate between error_msg and fail_reason, as the docs use both names.
    private static JsonObject Body(SimulatorState state, Delivery delivery)
    {
        var body = new JsonObject
        {
            ["method"] = "device.delivery.response",
            ["order_id"] = delivery.OrderId,
            ["record_id"] = delivery.RecordId,
        };
        if (delivery.Outcome == DeviceOutcome.Success)
        {
            body["deliver_status"] = "1";
            body["floor_status"] = "1";
            return body;
        }

        if (delivery.FloorStatus != 0)
        {
            body["floor_status"] = delivery.FloorStatus.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var name = state.FailureCallbacks++ % 2 == 0 ? "error_msg" : "fail_reason";
        body[name] = delivery.FailReason ?? FailureTexts.GoodsAreStuck;
        return body;
    }
}
