using System.Globalization;

namespace Vending.Platform;

/// <summary>
/// <see cref="IPlatformApi"/> as a thin facade over the Refit surface (<see cref="IPlatformEndpoints"/>): it checks arguments and
/// names each call's payload fields. Signing, the envelope, errors, timeouts and retries live in the client's handlers.
/// </summary>
public sealed class PlatformApiClient : IPlatformApi
{
    private const string MethodField = "method";
    private const string DeliveryMethod = "device.delivery.put";

    private readonly IPlatformEndpoints _endpoints;

    internal PlatformApiClient(IPlatformEndpoints endpoints) => _endpoints = endpoints;

    public Task PingAsync(CancellationToken cancellationToken = default) =>
        _endpoints.Ping(new PlatformCall("ping"), cancellationToken);

    public Task<IReadOnlyList<MachineSummary>> ListMachinesAsync(CancellationToken cancellationToken = default) =>
        _endpoints.ListMachines(new PlatformCall("machines.list"), cancellationToken);

    public Task<MachineDetail> GetMachineAsync(string machineNo, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(machineNo);

        return _endpoints.GetMachine(machineNo, new PlatformCall("machines.get", machineNo), cancellationToken);
    }

    public Task<IReadOnlyList<MachineSlot>> GetFloorsAsync(FloorsRequest request, CancellationToken cancellationToken = default) =>
        _endpoints.GetFloors(Payload(request.MachineNo, PayloadField.Text("cabinet_name", request.CabinetName)), Call("floors", request.MachineNo), cancellationToken);

    public Task<IReadOnlyList<Banner>> GetBannersAsync(string machineNo, CancellationToken cancellationToken = default) =>
        _endpoints.GetBanners(Payload(machineNo), Call("banners", machineNo), cancellationToken);

    public Task<ProductPage> GetProductsAsync(ProductsRequest request, CancellationToken cancellationToken = default)
    {
        if (request.CabinetName is not null && request.Addr is not null)
        {
            throw new ArgumentException("The platform takes a cabinet name or an addr, not both.", nameof(request));
        }

        var payload = Payload(
            request.MachineNo,
            PayloadField.Text("page", request.Page),
            PayloadField.Text("per_page", request.PerPage),
            Optional("category_id", request.CategoryId),
            PayloadField.Text("cabinet_name", request.CabinetName),
            PayloadField.Text("select_all", request.SelectAll switch { true => "1", false => "0", null => null }),
            PayloadField.Text("addr", request.Addr));
        return _endpoints.GetProducts(payload, Call("products", request.MachineNo), cancellationToken);
    }

    public Task<IReadOnlyList<ProductCategory>> GetCategoriesAsync(string machineNo, CancellationToken cancellationToken = default) =>
        _endpoints.GetCategories(Payload(machineNo), Call("categories", machineNo), cancellationToken);

    public Task<CreateOrderResult> CreateOrderAsync(CreateOrderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(request.MachineNo, nameof(request));
        ArgumentException.ThrowIfNullOrWhiteSpace(request.TradeId, nameof(request));

        return _endpoints.CreateOrder(request, Call("orders.create", request.MachineNo), cancellationToken);
    }

    public Task<PlatformOrder> GetOrderAsync(QueryOrderRequest request, CancellationToken cancellationToken = default) =>
        _endpoints.GetOrder(request.OrderId, Payload(request.MachineNo), Call("orders.query", request.MachineNo, request.OrderId), cancellationToken);

    // status goes out as a JSON number, as in the documented payload example; it signs the same either way.
    public Task UpdateOrderAsync(UpdateOrderRequest request, CancellationToken cancellationToken = default) =>
        _endpoints.UpdateOrder(
            request.OrderId,
            Payload(request.MachineNo, PayloadField.Number("status", (int)request.Status)),
            Call("orders.update", request.MachineNo, request.OrderId),
            cancellationToken);

    public Task<IReadOnlyList<PickupCode>> GeneratePickupCodesAsync(GeneratePickupCodesRequest request, CancellationToken cancellationToken = default)
    {
        var payload = Payload(
            request.MachineNo,
            PayloadField.Text(MethodField, request.ProductId is null ? "pickup_code.product.all" : "pickup_code.product.id"),
            Optional("product_id", request.ProductId),
            PayloadField.Text("expired_at", request.ExpiresAt is { } expiresAt ? PlatformClock.Format(expiresAt) : null),
            Optional("code_length", request.CodeLength),
            Optional("count", request.Count),
            Optional("quantity", request.Quantity));
        return _endpoints.GeneratePickupCodes(payload, Call("pickup_codes.generate", request.MachineNo), cancellationToken);
    }

    public Task<IReadOnlyList<PickupCode>> GetPickupCodesAsync(QueryPickupCodesRequest request, CancellationToken cancellationToken = default) =>
        _endpoints.GetPickupCodes(request.ProductId, Payload(request.MachineNo), Call("pickup_codes.query", request.MachineNo), cancellationToken);

    public Task CancelPickupCodesAsync(CancelPickupCodesRequest request, CancellationToken cancellationToken = default)
    {
        var payload = Payload(
            request.MachineNo,
            PayloadField.Text(MethodField, request.PickupCodeId is null ? "pickup_code.delete.all" : "pickup_code.delete.id"),
            Optional("id", request.PickupCodeId));
        return _endpoints.CancelPickupCodes(payload, Call("pickup_codes.cancel", request.MachineNo), cancellationToken);
    }

    public Task<PlatformOrder> ConsumePickupCodeAsync(ConsumePickupCodeRequest request, CancellationToken cancellationToken = default)
    {
        var payload = Payload(
            request.MachineNo,
            PayloadField.Text(MethodField, "event.consume.pickup_code"),
            PayloadField.Text("code", request.Code),
            PayloadField.Text("product_id", request.ProductId),
            PayloadField.Text("notify_url", request.NotifyUrl),
            PayloadField.Text("trade_id", request.TradeId));
        return _endpoints.ConsumePickupCode(payload, Call("pickup_codes.consume", request.MachineNo), cancellationToken);
    }

    public Task<DispenseResult> DispenseAsync(DispenseRequest request, CancellationToken cancellationToken = default)
    {
        var payload = Payload(
            request.MachineNo,
            PayloadField.Text(MethodField, DeliveryMethod),
            PayloadField.Text("order_id", request.OrderId),
            PayloadField.Text("record_id", request.RecordId));
        return _endpoints.Dispense(payload, Call("deliveries.dispense", request.MachineNo, request.OrderId), cancellationToken);
    }

    public async Task<DispenseResult> GetDispenseAsync(QueryDispenseRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(request.DeliveryId, nameof(request));

        var result = await _endpoints.GetDispense(request.DeliveryId, Payload(request.MachineNo), Call("deliveries.query", request.MachineNo), cancellationToken)
            .ConfigureAwait(false);
        return result.DeliveryId.Length > 0 ? result : result with { DeliveryId = request.DeliveryId };
    }

    public Task<DispenseResult> DebugDispenseAsync(DebugDispenseRequest request, CancellationToken cancellationToken = default)
    {
        var slotFields = request.SlotFields ?? new Dictionary<string, string>();
        if (slotFields.Keys.FirstOrDefault(IsReserved) is { } reserved)
        {
            throw new ArgumentException($"Slot field '{reserved}' is set by the client.", nameof(request));
        }

        var payload = Payload(
            request.MachineNo,
            [
                PayloadField.Text(MethodField, DeliveryMethod),
                Optional("product_id", request.ProductId),
                PayloadField.Text("notify_url", request.NotifyUrl),
                .. slotFields.Select(pair => PayloadField.Text(pair.Key, pair.Value)),
            ]);
        return _endpoints.DebugDispense(payload, Call("deliveries.debug", request.MachineNo), cancellationToken);

        static bool IsReserved(string key) =>
            key is "machine_no" or MethodField or "timestamp" or PayloadSigner.SignField or "product_id" or "notify_url";
    }

    public Task RestockAsync(RestockRequest request, CancellationToken cancellationToken = default)
    {
        var payload = Payload(
            request.MachineNo,
            PayloadField.Text(MethodField, request.Method),
            Optional("product_id", request.ProductId),
            Optional("category_id", request.CategoryId),
            Optional("current_inventory", request.CurrentInventory),
            PayloadField.Text("cabinet_name", request.CabinetName),
            PayloadField.Text("addr", request.Addr));
        return _endpoints.Restock(payload, Call("replenishments", request.MachineNo), cancellationToken);
    }

    private static PayloadContent Payload(string machineNo, params IEnumerable<PayloadField> fields)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(machineNo);

        return new PayloadContent([PayloadField.Text("machine_no", machineNo), .. fields]);
    }

    private static PlatformCall Call(string name, string machineNo, long? orderId = null) => new(name, machineNo, orderId);

    private static PayloadField Optional(string name, long? value) =>
        PayloadField.Text(name, value?.ToString(CultureInfo.InvariantCulture));
}
