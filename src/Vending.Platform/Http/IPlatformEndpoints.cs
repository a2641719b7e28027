using Refit;

namespace Vending.Platform;

/// <summary>
/// The platform's HTTP surface (CONTRACT §3) as Refit declares it. Signed calls take a <see cref="PayloadContent"/> that
/// <see cref="PayloadSigningHandler"/> signs on every attempt; <see cref="EnvelopeHandler"/> unwraps <c>data</c> before Refit
/// reads it. Only methods marked <see cref="SafeToRepeatAttribute"/> are ever retried.
/// </summary>
internal interface IPlatformEndpoints
{
    private const string Root = "/api/openapi/v1";
    private const string Call = PlatformCall.OptionsKey;

    [Post(Root + "/ping"), SafeToRepeat]
    Task Ping([Property(Call)] PlatformCall call, CancellationToken cancellationToken);

    [Post(Root + "/rent/machines"), SafeToRepeat]
    Task<IReadOnlyList<MachineSummary>> ListMachines([Property(Call)] PlatformCall call, CancellationToken cancellationToken);

    [Post(Root + "/rent/machines/{machineNo}"), SafeToRepeat]
    Task<MachineDetail> GetMachine(string machineNo, [Property(Call)] PlatformCall call, CancellationToken cancellationToken);

    [Post(Root + "/floors"), SafeToRepeat]
    Task<IReadOnlyList<MachineSlot>> GetFloors([Body] PayloadContent payload, [Property(Call)] PlatformCall call, CancellationToken cancellationToken);

    [Post(Root + "/banners"), SafeToRepeat]
    Task<IReadOnlyList<Banner>> GetBanners([Body] PayloadContent payload, [Property(Call)] PlatformCall call, CancellationToken cancellationToken);

    [Post(Root + "/products"), SafeToRepeat]
    Task<ProductPage> GetProducts([Body] PayloadContent payload, [Property(Call)] PlatformCall call, CancellationToken cancellationToken);

    [Post(Root + "/categories"), SafeToRepeat]
    Task<IReadOnlyList<ProductCategory>> GetCategories([Body] PayloadContent payload, [Property(Call)] PlatformCall call, CancellationToken cancellationToken);

    // The one call in plain JSON: create-order is neither encoded nor signed (CONTRACT §1).
    [Post(Root + "/orders")]
    Task<CreateOrderResult> CreateOrder([Body] CreateOrderRequest order, [Property(Call)] PlatformCall call, CancellationToken cancellationToken);

    [Post(Root + "/orders/{orderId}"), SafeToRepeat]
    Task<PlatformOrder> GetOrder(long orderId, [Body] PayloadContent payload, [Property(Call)] PlatformCall call, CancellationToken cancellationToken);

    [Put(Root + "/orders/{orderId}")]
    Task UpdateOrder(long orderId, [Body] PayloadContent payload, [Property(Call)] PlatformCall call, CancellationToken cancellationToken);

    [Post(Root + "/pickup_codes")]
    Task<IReadOnlyList<PickupCode>> GeneratePickupCodes([Body] PayloadContent payload, [Property(Call)] PlatformCall call, CancellationToken cancellationToken);

    [Post(Root + "/products/{productId}/pickup_code"), SafeToRepeat]
    Task<IReadOnlyList<PickupCode>> GetPickupCodes(long productId, [Body] PayloadContent payload, [Property(Call)] PlatformCall call, CancellationToken cancellationToken);

    [Put(Root + "/pickup_codes")]
    Task CancelPickupCodes([Body] PayloadContent payload, [Property(Call)] PlatformCall call, CancellationToken cancellationToken);

    [Post(Root + "/consumes")]
    Task<PlatformOrder> ConsumePickupCode([Body] PayloadContent payload, [Property(Call)] PlatformCall call, CancellationToken cancellationToken);

    [Post(Root + "/deliveries")]
    Task<DispenseResult> Dispense([Body] PayloadContent payload, [Property(Call)] PlatformCall call, CancellationToken cancellationToken);

    [Post(Root + "/deliveries/{deliveryId}"), SafeToRepeat]
    Task<DispenseResult> GetDispense(string deliveryId, [Body] PayloadContent payload, [Property(Call)] PlatformCall call, CancellationToken cancellationToken);

    [Post(Root + "/deliveries/debug")]
    Task<DispenseResult> DebugDispense([Body] PayloadContent payload, [Property(Call)] PlatformCall call, CancellationToken cancellationToken);

    [Post(Root + "/replenishments")]
    Task Restock([Body] PayloadContent payload, [Property(Call)] PlatformCall call, CancellationToken cancellationToken);
}
