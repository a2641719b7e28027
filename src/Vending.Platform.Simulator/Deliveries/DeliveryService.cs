using System.Text.Json.Nodes;
using Vending.Platform.Simulator.Callbacks;
using Vending.Platform.Simulator.Faults;
using Vending.Platform.Simulator.Platform;
using Vending.Platform.Simulator.State;

namespace Vending.Platform.Simulator.Deliveries;

/// <summary>Dispense commands (CONTRACT §3.7): one record per command, one command per machine at a time.</summary>
internal sealed class DeliveryService(SimulatorState state)
{
    private const string DeliveryMethod = "device.delivery.put";

    public JsonNode Dispense(PlatformRequest request)
    {
        var machineNo = request.Optional("machine_no");
        var orderText = request.Optional("order_id");
        var recordText = request.Optional("record_id");
        lock (state.Gate)
        {
            state.TickUnlocked();
            var now = state.Clock.Now;
            try
            {
                request.RequireMethod(DeliveryMethod);
                var orderId = PlatformRequest.ParseLong("order_id", request.Require("order_id"));
                var recordId = PlatformRequest.ParseLong("record_id", request.Require("record_id"));
                var machine = state.RequireMachine(request.Require("machine_no"));
                var order = state.RequireOrder(orderId, machine.No);
                if (!OrderStatus.IsDispensable(order.Status))
                {
                    throw PlatformErrors.OrderUnpaid();
                }

                if (state.Settings.PaidOrderDispenseWindow is { } window && order.CreatedAt + window <= now)
                {
                    throw PlatformErrors.OrderExpired();
                }

                var record = order.Records.Find(r => r.Id == recordId) ?? throw PlatformErrors.RecordNotFound();
                if (record.Status != RecordStatus.WaitingPickedUp)
                {
                    throw PlatformErrors.OrderStatusInvalid();
                }

                EnsureReady(machine, now);
                var delivery = Start(request, machine, order, record, now, isDebug: false);
                return Accepted(delivery);
            }
            catch (PlatformException refused)
            {
                Refuse(machineNo, orderText, recordText, now, refused.Code, refused.Message, Reason(refused), fault: null);
                throw;
            }
        }
    }

    /// <summary>Logs a dispense a scripted fault stopped before it ran: an attempt, though no command started.</summary>
    public void NotExecuted(PlatformRequest request)
    {
        lock (state.Gate)
        {
            var mode = request.Fault is { } fault ? FaultNames.Key(fault.Mode) : "unknown";
            Refuse(request.Optional("machine_no"), request.Optional("order_id"), request.Optional("record_id"), state.Clock.Now,
                0, $"not executed: scripted fault {mode}", "fault", mode);
        }
    }

    public JsonNode Query(PlatformRequest request)
    {
        var deliveryId = request.Route("delivery_id");
        var machineNo = request.Require("machine_no");
        lock (state.Gate)
        {
            state.TickUnlocked();
            if (!state.Deliveries.TryGetValue(deliveryId, out var delivery) || delivery.MachineNo != machineNo)
            {
                throw PlatformErrors.NotFound();
            }

            return View(delivery);
        }
    }

    public JsonNode Debug(PlatformRequest request)
    {
        var machineNo = request.Optional("machine_no");
        lock (state.Gate)
        {
            state.TickUnlocked();
            var now = state.Clock.Now;
            try
            {
                request.RequireMethod(DeliveryMethod);
                var machine = state.RequireMachine(request.Require("machine_no"));
                var product = Slot(request, machine);
                EnsureReady(machine, now);
                var order = new Order
                {
                    Id = state.NewOrderId(),
                    MachineNo = machine.No,
                    TradeId = "",
                    NotifyUrl = request.OptionalUrl("notify_url"),
                    CreatedAt = now,
                    Status = OrderStatus.TestPay,
                };
                var record = new OrderRecord
                {
                    Id = state.NewRecordId(),
                    ProductId = product.Id,
                    Quantity = 1,
                    PriceFen = product.PriceFen,
                    Status = RecordStatus.WaitingPickedUp,
                };
                order.Records.Add(record);
                state.Orders[order.Id] = order;
                var delivery = Start(request, machine, order, record, now, isDebug: true);
                var reply = Accepted(delivery);
                reply["order_id"] = order.Id;
                reply["record_id"] = record.Id;
                return reply;
            }
            catch (PlatformException refused)
            {
                state.Refused.Add(new RefusedCommand(
                    machineNo, null, null, true, now, DateTimeOffset.UtcNow, refused.Code, refused.Message, Reason(refused)));
                throw;
            }
        }
    }

    private Product Slot(PlatformRequest request, Machine machine)
    {
        var products = state.ProductsOf(machine);
        if (request.OptionalLong("product_id") is { } productId)
        {
            return state.RequireProduct(productId, machine.No);
        }

        if ((request.Optional("channel") ?? request.Optional("name")) is { } channel)
        {
            return products.FirstOrDefault(p => p.ChannelName == channel) ?? throw PlatformErrors.RecordNotFound();
        }

        if (request.OptionalInt("addr") is { } row)
        {
            var cabinet = request.Optional("cabinet_name") ?? "A";
            return products.Where(p => p.CabinetName == cabinet && p.Row == row).MinBy(p => p.Column)
                ?? throw PlatformErrors.RecordNotFound();
        }

        throw PlatformErrors.Validation("product_id, channel or addr is required");
    }

    private static void EnsureReady(Machine machine, DateTimeOffset now)
    {
        if (!machine.Online)
        {
            throw PlatformErrors.MachineOffline();
        }

        if (machine.IsLocked(now))
        {
            throw PlatformErrors.MachineBusy();
        }
    }

    private Delivery Start(PlatformRequest request, Machine machine, Order order, OrderRecord record, DateTimeOffset now, bool isDebug)
    {
        // A broken slot fails every command until mended; a scripted fault is taken only by a slot that works.
        var broken = state.Products.GetValueOrDefault(record.ProductId)?.BrokenFloorStatus;
        var fault = broken is { } floor
            ? new DispenseFault { Mode = DispenseFaultMode.Fail, Remaining = 1, Reason = FailureTexts.ForFloorStatus(floor), FloorStatus = floor }
            : machine.TakeDispenseFault();
        var resultDelay = machine.ResultDelay ?? state.Settings.ResultDelay;
        var delivery = new Delivery
        {
            Id = state.NewDeliveryId(),
            Seq = state.NewCommandSeq(),
            MachineNo = machine.No,
            OrderId = order.Id,
            RecordId = record.Id,
            TradeId = order.TradeId.Length > 0 ? order.TradeId : null,
            Quantity = record.Quantity,
            Dropped = MachineModels.DropsPerCommand(machine.Model, record.Quantity),
            IsDebug = isDebug,
            NotifyUrl = order.NotifyUrl,
            IssuedAt = now,
            IssuedAtReal = DateTimeOffset.UtcNow,
            OrderPaidAt = order.PaidAt,
            AnswerFault = request.Fault is { Mode: not EndpointFaultMode.Slow } answer ? FaultNames.Key(answer.Mode) : null,
            ResultDueAt = fault?.Mode == DispenseFaultMode.Timeout ? null : now + resultDelay,
            TimeoutAt = now + state.Settings.DeviceTimeout,
            PlannedOutcome = fault?.Mode == DispenseFaultMode.Fail ? DeviceOutcome.Failed : DeviceOutcome.Success,
            PlannedReason = fault?.Reason,
            PlannedFloorStatus = fault?.FloorStatus ?? 1,
        };
        machine.LockedUntil = now + TimeSpan.FromSeconds(machine.LockSeconds);
        machine.ActiveDeliveryId = delivery.Id;
        record.Status = RecordStatus.IsDelivering;
        record.DeliveryId = delivery.Id;
        record.HeldQuantity = 0;
        state.Deliveries[delivery.Id] = delivery;
        state.Commands.Add(delivery);
        state.Running.Add(delivery);
        Log.DispenseAccepted(state.Logger, machine.No, order.Id, record.Id, delivery.Id);
        return delivery;
    }

    private void Refuse(string? machineNo, string? orderText, string? recordText, DateTimeOffset now, int code, string message, string reason,
        string? fault)
    {
        var order = long.TryParse(orderText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
            ? state.Orders.GetValueOrDefault(id)
            : null;
        state.Refused.Add(new RefusedCommand(machineNo, orderText, recordText, false, now, DateTimeOffset.UtcNow, code, message, reason, fault,
            order?.TradeId is { Length: > 0 } tradeId ? tradeId : null, order?.PaidAt));
        Log.DispenseRefused(state.Logger, machineNo, orderText, recordText, code);
    }

    // A stable name for why a dispense was refused, so a reader of the log need not know the codes (or the code-0 quirk).
    private static string Reason(PlatformException refused) => refused.Code switch
    {
        30002 => "machine_offline",
        30003 => "machine_not_found",
        30004 => "machine_not_operating",
        30005 => "machine_busy",
        40005 => "order_expired",
        40006 => "record_not_waiting",
        80002 => "record_not_found",
        4006 => "sign_invalid",
        0 => "order_unpaid",
        _ => "invalid_request",
    };

    private static JsonObject Accepted(Delivery delivery)
    {
        var reply = View(delivery);
        reply["delivery_id"] = delivery.Id;
        return reply;
    }

    private static JsonObject View(Delivery delivery) => new()
    {
        ["delivered_at"] = PlatformFormat.Unix(delivery.IssuedAt),
        ["status"] = delivery.Status,
        ["pickup_at"] = delivery.Outcome == DeviceOutcome.Success && delivery.FinishedAt is { } at
            ? PlatformFormat.Unix(at)
            : null,
        ["fail_reason"] = delivery.FailReason,
    };
}
