using Vending.Platform.Simulator.Callbacks;
using Vending.Platform.Simulator.Faults;
using Vending.Platform.Simulator.Platform;
using Vending.Platform.Simulator.State;

namespace Vending.Platform.Simulator.Control;

internal static class ControlViews
{
    public static ClockView Clock(SimClock clock) => new(clock.Now, clock.Speed, clock.OffsetSeconds);

    public static MachineView Machine(SimulatorState state, Machine machine, DateTimeOffset now) => new(
        machine.No,
        machine.Name,
        MachineModels.Key(machine.Model),
        machine.Online,
        machine.Operating,
        machine.PickupCodesEnabled,
        machine.LockSeconds,
        machine.ResultDelay is { } delay ? (int)delay.TotalMilliseconds : null,
        machine.IsLocked(now),
        machine.IsLocked(now) ? machine.LockedUntil : null,
        machine.ActiveDeliveryId,
        machine.DispenseFaults.Select(DispenseFault).ToList(),
        state.ProductsOf(machine).Select(Product).ToList(),
        machine.Banners.Select(Banner).ToList());

    public static ProductView Product(Product product) => new(
        product.Id,
        product.Name,
        PlatformFormat.Money(product.PriceFen),
        product.Stock,
        product.Capacity,
        product.CategoryId,
        product.OnSale,
        new ChannelView(product.ChannelName, product.CabinetName, product.Row),
        product.FloorStatus,
        product.BrokenFloorStatus is not null);

    public static BannerView Banner(Banner banner) => new(
        banner.Id, banner.Status, banner.IsVisible, banner.CoverImage, banner.SortId, banner.HitCount, banner.ViewsCount);

    public static DispenseFaultView DispenseFault(DispenseFault fault) => fault.Mode == DispenseFaultMode.Fail
        ? new("fail", fault.Remaining, fault.Reason, fault.FloorStatus)
        : new("timeout", fault.Remaining, null, null);

    public static CommandView Command(Delivery delivery) => new(
        delivery.Seq,
        delivery.MachineNo,
        delivery.OrderId,
        delivery.RecordId,
        delivery.TradeId,
        delivery.Id,
        delivery.Quantity,
        delivery.Dropped,
        delivery.IsDebug,
        delivery.IssuedAt,
        delivery.IssuedAtReal,
        delivery.FinishedAt,
        delivery.FinishedAtReal,
        delivery.Outcome is null ? null : delivery.Status,
        delivery.FailReason,
        delivery.Outcome is null ? null : delivery.FloorStatus,
        delivery.OrderPaidAt,
        delivery.AnswerFault);

    public static RefusedView Refused(RefusedCommand refused) => new(
        refused.MachineNo,
        refused.OrderId,
        refused.RecordId,
        refused.IsDebug,
        refused.At,
        refused.AtReal,
        refused.Code,
        refused.Message,
        refused.Reason,
        refused.Fault,
        refused.TradeId,
        refused.OrderPaidAt);

    public static CallbackView Callback(CallbackLogEntry entry) => new(
        entry.Seq,
        entry.MachineNo,
        entry.OrderId,
        entry.RecordId,
        entry.Url,
        entry.Body,
        entry.At,
        entry.AtReal,
        entry.HttpStatus,
        entry.Error,
        entry.Fault,
        entry.Pending);

    public static OrderView Order(SimulatorState state, Order order) => new(
        order.Id,
        order.MachineNo,
        order.TradeId,
        order.NotifyUrl,
        order.Status,
        PlatformFormat.Money(order.AmountFen),
        order.CreatedAt,
        order.Status == OrderStatus.NotPay ? order.CreatedAt + state.Settings.UnpaidOrderLifetime : null,
        order.PaidAt,
        order.ClosedAt,
        order.ExpiredByLifetime,
        order.PickupCodeId,
        order.NotifySendCount,
        order.StockHeld,
        order.Records.Select(r => new RecordView(
            r.Id,
            r.ProductId,
            r.Quantity,
            PlatformFormat.Money(r.PriceFen),
            r.Status,
            r.NotifySent,
            r.HeldQuantity,
            r.DeliveryId)).ToList());

    public static CallbackFaultView CallbackFault(CallbackFault fault) => new(
        fault.Id, fault.MachineNo, FaultNames.Key(fault.Mode), fault.Remaining, fault.DelayMs, fault.Held.Count);

    public static EndpointFaultView EndpointFault(EndpointFault fault) => new(
        fault.Id, fault.Endpoint, fault.MachineNo, FaultNames.Key(fault.Mode), fault.Remaining, fault.DelayMs);

    public static SettingsView Settings(SimulatorOptions settings) => new(
        (int)settings.ResultDelay.TotalMilliseconds,
        settings.DeviceTimeout.TotalSeconds,
        settings.UnpaidOrderLifetime.TotalSeconds,
        settings.PaidOrderDispenseWindow?.TotalSeconds,
        settings.AppId,
        settings.AppKey);
}
