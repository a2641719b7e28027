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
                var delivery = Start(machine, order, record, now, order.NotifyUrl, isDebug: false);
                return Accepted(delivery);
            }
            catch (PlatformException refused)
            {
                state.Refused.Add(new RefusedCommand(
                    machineNo, orderText, recordText, false, now, DateTimeOffset.UtcNow, refused.Code, refused.Message));
                Log.DispenseRefused(state.Logger, machineNo, orderText, recordText, refused.Code);
                throw;
            }
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
                var delivery = Start(machine, order, record, now, order.NotifyUrl, isDebug: true);
                var reply = Accepted(delivery);
                reply["order_id"] = order.Id;
                reply["record_id"] = record.Id;
                return reply;
            }
            catch (PlatformException refused)
            {
                state.Refused.Add(new RefusedCommand(
                    machineNo, null, null, true, now, DateTimeOffset.UtcNow, refused.Code, refused.Message));
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

    private Delivery Start(Machine machine, Order order, OrderRecord record, DateTimeOffset now, string? notifyUrl, bool isDebug)
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
            NotifyUrl = notifyUrl,
            IssuedAt = now,
            IssuedAtReal = DateTimeOffset.UtcNow,
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
