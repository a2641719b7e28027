namespace Vending.Platform;

/// <summary>The vending platform's Open API v1, one method per endpoint; every failure is a <see cref="PlatformException"/>.</summary>
public interface IPlatformApi
{
    Task PingAsync(CancellationToken cancellationToken = default);

    Task<IReadOnlyList<MachineSummary>> ListMachinesAsync(CancellationToken cancellationToken = default);

    Task<MachineDetail> GetMachineAsync(string machineNo, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<MachineSlot>> GetFloorsAsync(FloorsRequest request, CancellationToken cancellationToken = default);

    /// <summary>The machine's approved, visible banners (at most five), or none.</summary>
    Task<IReadOnlyList<Banner>> GetBannersAsync(string machineNo, CancellationToken cancellationToken = default);

    Task<ProductPage> GetProductsAsync(ProductsRequest request, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ProductCategory>> GetCategoriesAsync(string machineNo, CancellationToken cancellationToken = default);

    Task<CreateOrderResult> CreateOrderAsync(CreateOrderRequest request, CancellationToken cancellationToken = default);

    Task<PlatformOrder> GetOrderAsync(QueryOrderRequest request, CancellationToken cancellationToken = default);

    Task UpdateOrderAsync(UpdateOrderRequest request, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<PickupCode>> GeneratePickupCodesAsync(GeneratePickupCodesRequest request, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<PickupCode>> GetPickupCodesAsync(QueryPickupCodesRequest request, CancellationToken cancellationToken = default);

    Task CancelPickupCodesAsync(CancelPickupCodesRequest request, CancellationToken cancellationToken = default);

    Task<PlatformOrder> ConsumePickupCodeAsync(ConsumePickupCodeRequest request, CancellationToken cancellationToken = default);

    Task<DispenseResult> DispenseAsync(DispenseRequest request, CancellationToken cancellationToken = default);

    Task<DispenseResult> GetDispenseAsync(QueryDispenseRequest request, CancellationToken cancellationToken = default);

    Task<DispenseResult> DebugDispenseAsync(DebugDispenseRequest request, CancellationToken cancellationToken = default);

    Task RestockAsync(RestockRequest request, CancellationToken cancellationToken = default);
}
