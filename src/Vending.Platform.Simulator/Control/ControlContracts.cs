using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vending.Platform.Simulator.Control;

public sealed record CreateMachineRequest(
    string? MachineNo,
    string? Name,
    string? Model,
    bool? Online,
    bool? Operating,
    bool? PickupCodesEnabled,
    int? LockSeconds,
    int? ResultDelayMs,
    IReadOnlyList<CreateProductRequest>? Products,
    IReadOnlyList<BannerRequest>? Banners = null);

public sealed record CreateProductRequest(
    string? Name,
    string? Price,
    int? Stock,
    int? Capacity,
    int? CategoryId,
    bool? OnSale,
    string? CabinetName);

public sealed record BannerRequest(
    long? Id,
    string? Status,
    bool? IsVisible,
    string? CoverImage,
    int? SortId,
    long? HitCount,
    long? ViewsCount);

public sealed record UpdateMachineRequest(
    bool? Online,
    bool? Operating,
    int? LockSeconds,
    int? ResultDelayMs,
    bool? PickupCodesEnabled);

public sealed record UpdateProductRequest(
    string? Name,
    string? Price,
    int? Stock,
    int? Capacity,
    int? CategoryId,
    bool? OnSale,
    int? FloorStatus = null);

public sealed record DispenseFaultRequest(int? Count, string? Mode, string? Reason, int? FloorStatus);

public sealed record CallbackFaultRequest(string? MachineNo, string? Mode, int? Count, int? DelayMs);

public sealed record EndpointFaultRequest(string? Endpoint, string? MachineNo, string? Mode, int? Count, int? DelayMs);

public sealed record ClockRequest(double? AdvanceSeconds, double? Speed);

public sealed record SettingsRequest(
    int? ResultDelayMs,
    double? DeviceTimeoutSeconds,
    double? UnpaidOrderLifetimeSeconds,
    double? PaidOrderDispenseWindowSeconds);

public sealed record SignRequest(Dictionary<string, JsonElement>? Fields);

public sealed record ErrorView(string Error);

public sealed record ClockView(DateTimeOffset Now, double Speed, double OffsetSeconds);

public sealed record SettingsView(
    int ResultDelayMs,
    double DeviceTimeoutSeconds,
    double UnpaidOrderLifetimeSeconds,
    double? PaidOrderDispenseWindowSeconds,
    string AppId,
    string AppKey);

public sealed record SignView(string StringToSign, string Sign, string Payload);

public sealed record ChannelView(string Name, string CabinetName, int Addr);

public sealed record ProductView(
    long ProductId,
    string Name,
    string Price,
    int Stock,
    int Capacity,
    int CategoryId,
    bool OnSale,
    ChannelView Channel,
    int FloorStatus = 1,
    bool Broken = false);

public sealed record BannerView(long Id, string Status, bool IsVisible, string CoverImage, int SortId, long HitCount, long ViewsCount);

public sealed record DispenseFaultView(string Mode, int Remaining, string? Reason, int? FloorStatus);

public sealed record MachineView(
    string MachineNo,
    string Name,
    string Model,
    bool Online,
    bool Operating,
    bool PickupCodesEnabled,
    int LockSeconds,
    int? ResultDelayMs,
    bool Locked,
    DateTimeOffset? LockedUntil,
    string? ActiveDeliveryId,
    IReadOnlyList<DispenseFaultView> DispenseFaults,
    IReadOnlyList<ProductView> Products,
    IReadOnlyList<BannerView> Banners);

public sealed record CommandView(
    long Seq,
    string MachineNo,
    long OrderId,
    long RecordId,
    string? TradeId,
    string DeliveryId,
    int Quantity,
    int Dropped,
    bool Debug,
    DateTimeOffset IssuedAt,
    DateTimeOffset IssuedAtReal,
    DateTimeOffset? FinishedAt,
    DateTimeOffset? FinishedAtReal,
    string? Outcome,
    string? FailReason,
    int? FloorStatus,
    DateTimeOffset? OrderPaidAt = null,
    string? Fault = null);

public sealed record RefusedView(
    string? MachineNo,
    string? OrderId,
    string? RecordId,
    bool Debug,
    DateTimeOffset At,
    DateTimeOffset AtReal,
    int Code,
    string Message,
    string Reason = "",
    string? Fault = null,
    string? TradeId = null,
    DateTimeOffset? OrderPaidAt = null);

public sealed record CommandLogView(IReadOnlyList<CommandView> Commands, IReadOnlyList<RefusedView> Refused);

public sealed record CallbackView(
    long Seq,
    string MachineNo,
    long OrderId,
    long RecordId,
    string Url,
    JsonObject Body,
    DateTimeOffset At,
    DateTimeOffset AtReal,
    int? HttpStatus,
    string? Error,
    string? Fault,
    bool Pending);

public sealed record RecordView(
    long RecordId,
    long ProductId,
    int Quantity,
    string Price,
    string? Status,
    bool NotifySent,
    int StockHeld,
    string? DeliveryId);

public sealed record OrderView(
    long OrderId,
    string MachineNo,
    string TradeId,
    string? NotifyUrl,
    string Status,
    string Amount,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? PaidAt,
    DateTimeOffset? ClosedAt,
    bool ExpiredByLifetime,
    long? PickupCodeId,
    int NotifySendCount,
    int StockHeld,
    IReadOnlyList<RecordView> Records);

public sealed record CallbackFaultView(long Id, string? MachineNo, string Mode, int Remaining, int? DelayMs, int Held);

public sealed record EndpointFaultView(long Id, string Endpoint, string? MachineNo, string Mode, int Remaining, int? DelayMs);

public sealed record FaultsView(
    IReadOnlyList<CallbackFaultView> Callback,
    IReadOnlyList<EndpointFaultView> Endpoint,
    IReadOnlyDictionary<string, IReadOnlyList<DispenseFaultView>> Dispense);

public sealed record StateView(
    ClockView Clock,
    int Machines,
    int Products,
    IReadOnlyDictionary<string, int> Orders,
    int RunningCommands,
    int Commands,
    int Refused,
    int Callbacks,
    int PendingCallbackFaults,
    int PendingEndpointFaults,
    int PendingDispenseFaults);
