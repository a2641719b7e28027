using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Vending.Platform;

/// <summary>The typed-HttpClient implementation of <see cref="IPlatformApi"/>: signs, times out each attempt, and retries only reads.</summary>
public sealed class PlatformApiClient : IPlatformApi
{
    private const string MethodField = "method";
    private const string DeliveryMethod = "device.delivery.put";

    private readonly HttpClient _http;
    private readonly PlatformOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Uri _apiRoot;
    private readonly ResiliencePipeline _retry;

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<PlatformOptions, ResiliencePipeline> RetryPipelines = [];

    public PlatformApiClient(HttpClient http, IOptions<PlatformOptions> options, TimeProvider time, ILogger<PlatformApiClient> logger)
    {
        _http = http;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _apiRoot = new Uri(_options.BaseUrl.TrimEnd('/') + "/api/openapi/v1/", UriKind.Absolute);
        // HttpClientFactory makes a client per scope; the pipeline (validated by reflection when built) is made once per options.
        _retry = RetryPipelines.GetValue(_options, o => BuildRetry(o, time));
    }

    public Task PingAsync(CancellationToken cancellationToken = default) =>
        SendAsync(new PlatformCall("ping", HttpMethod.Post, "ping", SafeToRepeat: true), Ignore, cancellationToken);

    public Task<IReadOnlyList<MachineSummary>> ListMachinesAsync(CancellationToken cancellationToken = default) =>
        SendAsync(
            new PlatformCall("machines.list", HttpMethod.Post, "rent/machines", SafeToRepeat: true),
            PlatformJson.ReadList<MachineSummary>,
            cancellationToken);

    public Task<MachineDetail> GetMachineAsync(string machineNo, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(machineNo);

        var call = new PlatformCall("machines.get", HttpMethod.Post, $"rent/machines/{Uri.EscapeDataString(machineNo)}", SafeToRepeat: true)
        {
            MachineNo = machineNo,
        };
        return SendAsync(call, PlatformJson.ReadObject<MachineDetail>, cancellationToken);
    }

    public Task<IReadOnlyList<MachineSlot>> GetFloorsAsync(FloorsRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(
            Signed("floors", HttpMethod.Post, "floors", safeToRepeat: true, request.MachineNo, PayloadField.Text("cabinet_name", request.CabinetName)),
            ReadFloors,
            cancellationToken);

    public Task<ProductPage> GetProductsAsync(ProductsRequest request, CancellationToken cancellationToken = default)
    {
        if (request.CabinetName is not null && request.Addr is not null)
        {
            throw new ArgumentException("The platform takes a cabinet name or an addr, not both.", nameof(request));
        }

        var call = Signed(
            "products",
            HttpMethod.Post,
            "products",
            safeToRepeat: true,
            request.MachineNo,
            PayloadField.Text("page", request.Page),
            PayloadField.Text("per_page", request.PerPage),
            Optional("category_id", request.CategoryId),
            PayloadField.Text("cabinet_name", request.CabinetName),
            PayloadField.Text("select_all", request.SelectAll switch { true => "1", false => "0", null => null }),
            PayloadField.Text("addr", request.Addr));
        return SendAsync(call, ReadProductPage, cancellationToken);
    }

    public Task<IReadOnlyList<ProductCategory>> GetCategoriesAsync(string machineNo, CancellationToken cancellationToken = default) =>
        SendAsync(
            Signed("categories", HttpMethod.Post, "categories", safeToRepeat: true, machineNo),
            PlatformJson.ReadList<ProductCategory>,
            cancellationToken);

    public Task<CreateOrderResult> CreateOrderAsync(CreateOrderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(request.MachineNo, nameof(request));
        ArgumentException.ThrowIfNullOrWhiteSpace(request.TradeId, nameof(request));

        var call = new PlatformCall("orders.create", HttpMethod.Post, "orders", SafeToRepeat: false)
        {
            MachineNo = request.MachineNo,
            PlainJson = JsonSerializer.SerializeToUtf8Bytes(request, PlatformJson.Options),
        };
        return SendAsync(call, PlatformJson.ReadObject<CreateOrderResult>, cancellationToken);
    }

    public Task<PlatformOrder> GetOrderAsync(QueryOrderRequest request, CancellationToken cancellationToken = default)
    {
        var call = Signed("orders.query", HttpMethod.Post, $"orders/{request.OrderId}", safeToRepeat: true, request.MachineNo) with
        {
            OrderId = request.OrderId,
        };
        return SendAsync(call, PlatformJson.ReadObject<PlatformOrder>, cancellationToken);
    }

    // status goes out as a JSON number, as in the documented payload example; it signs the same either way.
    public Task UpdateOrderAsync(UpdateOrderRequest request, CancellationToken cancellationToken = default)
    {
        var call = Signed(
            "orders.update",
            HttpMethod.Put,
            $"orders/{request.OrderId}",
            safeToRepeat: false,
            request.MachineNo,
            PayloadField.Number("status", (int)request.Status)) with
        {
            OrderId = request.OrderId,
        };
        return SendAsync(call, Ignore, cancellationToken);
    }

    public Task<IReadOnlyList<PickupCode>> GeneratePickupCodesAsync(GeneratePickupCodesRequest request, CancellationToken cancellationToken = default)
    {
        var call = Signed(
            "pickup_codes.generate",
            HttpMethod.Post,
            "pickup_codes",
            safeToRepeat: false,
            request.MachineNo,
            PayloadField.Text(MethodField, request.ProductId is null ? "pickup_code.product.all" : "pickup_code.product.id"),
            Optional("product_id", request.ProductId),
            PayloadField.Text("expired_at", request.ExpiresAt is { } expiresAt ? PlatformClock.Format(expiresAt) : null),
            Optional("code_length", request.CodeLength),
            Optional("count", request.Count),
            Optional("quantity", request.Quantity));
        return SendAsync(call, ReadPickupCodes, cancellationToken);
    }

    public Task<IReadOnlyList<PickupCode>> GetPickupCodesAsync(QueryPickupCodesRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(
            Signed("pickup_codes.query", HttpMethod.Post, $"products/{request.ProductId}/pickup_code", safeToRepeat: true, request.MachineNo),
            ReadPickupCodes,
            cancellationToken);

    public Task CancelPickupCodesAsync(CancelPickupCodesRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(
            Signed(
                "pickup_codes.cancel",
                HttpMethod.Put,
                "pickup_codes",
                safeToRepeat: false,
                request.MachineNo,
                PayloadField.Text(MethodField, request.PickupCodeId is null ? "pickup_code.delete.all" : "pickup_code.delete.id"),
                Optional("id", request.PickupCodeId)),
            Ignore,
            cancellationToken);

    public Task<PlatformOrder> ConsumePickupCodeAsync(ConsumePickupCodeRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(
            Signed(
                "pickup_codes.consume",
                HttpMethod.Post,
                "consumes",
                safeToRepeat: false,
                request.MachineNo,
                PayloadField.Text(MethodField, "event.consume.pickup_code"),
                PayloadField.Text("code", request.Code),
                PayloadField.Text("product_id", request.ProductId),
                PayloadField.Text("notify_url", request.NotifyUrl),
                PayloadField.Text("trade_id", request.TradeId)),
            PlatformJson.ReadObject<PlatformOrder>,
            cancellationToken);

    public Task<DispenseResult> DispenseAsync(DispenseRequest request, CancellationToken cancellationToken = default)
    {
        var call = Signed(
            "deliveries.dispense",
            HttpMethod.Post,
            "deliveries",
            safeToRepeat: false,
            request.MachineNo,
            PayloadField.Text(MethodField, DeliveryMethod),
            PayloadField.Text("order_id", request.OrderId),
            PayloadField.Text("record_id", request.RecordId)) with
        {
            OrderId = request.OrderId,
        };
        return SendAsync(call, PlatformJson.ReadObject<DispenseResult>, cancellationToken);
    }

    public async Task<DispenseResult> GetDispenseAsync(QueryDispenseRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(request.DeliveryId, nameof(request));

        var call = Signed(
            "deliveries.query",
            HttpMethod.Post,
            $"deliveries/{Uri.EscapeDataString(request.DeliveryId)}",
            safeToRepeat: true,
            request.MachineNo);
        var result = await SendAsync(call, PlatformJson.ReadObject<DispenseResult>, cancellationToken).ConfigureAwait(false);
        return result.DeliveryId.Length > 0 ? result : result with { DeliveryId = request.DeliveryId };
    }

    public Task<DispenseResult> DebugDispenseAsync(DebugDispenseRequest request, CancellationToken cancellationToken = default)
    {
        var slotFields = request.SlotFields ?? new Dictionary<string, string>();
        if (slotFields.Keys.FirstOrDefault(IsReserved) is { } reserved)
        {
            throw new ArgumentException($"Slot field '{reserved}' is set by the client.", nameof(request));
        }

        var call = Signed(
            "deliveries.debug",
            HttpMethod.Post,
            "deliveries/debug",
            safeToRepeat: false,
            request.MachineNo,
            [
                PayloadField.Text(MethodField, DeliveryMethod),
                Optional("product_id", request.ProductId),
                .. slotFields.Select(pair => PayloadField.Text(pair.Key, pair.Value)),
            ]);
        return SendAsync(call, PlatformJson.ReadObject<DispenseResult>, cancellationToken);

        static bool IsReserved(string key) =>
            key is "machine_no" or MethodField or "timestamp" or PayloadSigner.SignField or "product_id";
    }

    public Task RestockAsync(RestockRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(
            Signed(
                "replenishments",
                HttpMethod.Post,
                "replenishments",
                safeToRepeat: false,
                request.MachineNo,
                PayloadField.Text(MethodField, request.Method),
                Optional("product_id", request.ProductId),
                Optional("category_id", request.CategoryId),
                Optional("current_inventory", request.CurrentInventory),
                PayloadField.Text("cabinet_name", request.CabinetName),
                PayloadField.Text("addr", request.Addr)),
            Ignore,
            cancellationToken);

    private static PlatformCall Signed(string name, HttpMethod method, string path, bool safeToRepeat, string machineNo, params IEnumerable<PayloadField> fields)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(machineNo);

        return new PlatformCall(name, method, path, safeToRepeat)
        {
            MachineNo = machineNo,
            Payload = [PayloadField.Text("machine_no", machineNo), .. fields],
        };
    }

    private static PayloadField Optional(string name, long? value) =>
        PayloadField.Text(name, value?.ToString(CultureInfo.InvariantCulture));

    private static bool Ignore(JsonElement data) => true;

    // The products endpoint pages, but answers [] when empty; a bare list of items is read as one page.
    /// <summary>
    /// Floors are undocumented: accept a flat list of slots, or rows that nest their slots under <c>channels</c>
    /// (a slot then inherits its row's cabinet and addr), and read capacity from <c>capacity</c> or <c>inventory</c>.
    /// </summary>
    private static IReadOnlyList<MachineSlot> ReadFloors(JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Array)
        {
            return PlatformJson.ReadList<MachineSlot>(data);
        }

        var slots = new System.Text.Json.Nodes.JsonArray();
        foreach (var entry in data.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var row = System.Text.Json.Nodes.JsonNode.Parse(entry.GetRawText())!.AsObject();
            var channels = row["channels"] as System.Text.Json.Nodes.JsonArray;
            foreach (var slot in channels is null ? [row] : channels.OfType<System.Text.Json.Nodes.JsonObject>().Select(c => c.DeepClone().AsObject()))
            {
                slot.Remove("channels");
                foreach (var inherited in new[] { "cabinet_name", "addr" })
                {
                    if (!slot.ContainsKey(inherited) && row[inherited] is { } value && !ReferenceEquals(slot, row))
                    {
                        slot[inherited] = value.DeepClone();
                    }
                }

                if (!slot.ContainsKey("capacity") && slot["inventory"] is { } capacity)
                {
                    slot["capacity"] = capacity.DeepClone();
                }

                slots.Add(ReferenceEquals(slot, row) ? slot.DeepClone() : slot);
            }
        }

        using var flat = JsonDocument.Parse(slots.ToJsonString());
        return PlatformJson.ReadList<MachineSlot>(flat.RootElement);
    }

    private static ProductPage ReadProductPage(JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Array)
        {
            return PlatformJson.ReadObject<ProductPage>(data);
        }

        var items = PlatformJson.ReadList<ProductItem>(data);
        return items.Count == 0
            ? new ProductPage()
            : new ProductPage { Items = items, Total = items.Count, CurrentPage = 1, LastPage = 1, PerPage = items.Count };
    }

    // Generation's response is undocumented: accept code objects or bare codes, as a list or wrapped in an object.
    private static IReadOnlyList<PickupCode> ReadPickupCodes(JsonElement data)
    {
        if (data.ValueKind == JsonValueKind.Object)
        {
            data = data.EnumerateObject().Select(property => property.Value).FirstOrDefault(value => value.ValueKind == JsonValueKind.Array);
        }

        if (data.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        return data.EnumerateArray()
            .Select(item => item.ValueKind switch
            {
                JsonValueKind.Object => item.Deserialize<PickupCode>(PlatformJson.Options),
                JsonValueKind.String => new PickupCode { Code = item.GetString()!, Status = PickupCodeStatus.Unused },
                JsonValueKind.Number => new PickupCode { Code = item.GetRawText(), Status = PickupCodeStatus.Unused },
                _ => null,
            })
            .OfType<PickupCode>()
            .ToList();
    }

    private static ResiliencePipeline BuildRetry(PlatformOptions options, TimeProvider time)
    {
        if (options.RetryAttempts <= 0)
        {
            return ResiliencePipeline.Empty;
        }

        return new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.RetryAttempts,
                Delay = options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<PlatformException>(exception => exception.IsTransient),
            })
            .Build();
    }

    private async Task<T> SendAsync<T>(PlatformCall call, Func<JsonElement, T> read, CancellationToken cancellationToken)
    {
        var attempt = 0;
        var pipeline = call.SafeToRepeat ? _retry : ResiliencePipeline.Empty;
        return await pipeline.ExecuteAsync(
            async token => await AttemptAsync(call, read, ++attempt, token).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> AttemptAsync<T>(PlatformCall call, Func<JsonElement, T> read, int attempt, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        try
        {
            var result = await ExchangeAsync(call, read, cancellationToken).ConfigureAwait(false);
            Log.CallSucceeded(_logger, call.Name, call.MachineNo, call.OrderId, ElapsedMs(started), attempt);
            return result;
        }
        catch (PlatformException exception)
        {
            // Only a transport cause is worth a stack trace; a platform refusal is fully described by its fields.
            Log.CallFailed(
                _logger,
                exception.InnerException,
                call.Name,
                call.MachineNo,
                call.OrderId,
                ElapsedMs(started),
                attempt,
                exception.Category,
                exception.Code,
                exception.HttpStatus,
                exception.OutcomeUnknown);
            throw;
        }
    }

    private async Task<T> ExchangeAsync<T>(PlatformCall call, Func<JsonElement, T> read, CancellationToken cancellationToken)
    {
        // A linked source, not HttpClient.Timeout: a hang must surface as our Transient error, while the caller's own cancellation still propagates.
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        int status;
        byte[] body;
        try
        {
            using var request = BuildRequest(call);
            using var response = await _http.SendAsync(request, linked.Token).ConfigureAwait(false);
            status = (int)response.StatusCode;
            body = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw Transport(call, $"No answer within {_options.Timeout.TotalMilliseconds:0} ms.", outcomeUnknown: true, exception);
        }
        catch (HttpRequestException exception)
        {
            throw Transport(call, "The request failed in transport.", MayHaveBeenSent(exception), exception);
        }
        catch (IOException exception)
        {
            throw Transport(call, "The connection broke while reading the answer.", outcomeUnknown: true, exception);
        }

        return Interpret(call, status, body, read);
    }

    private HttpRequestMessage BuildRequest(PlatformCall call)
    {
        var request = new HttpRequestMessage(call.Method, new Uri(_apiRoot, call.Path));
        request.Headers.TryAddWithoutValidation("Appid", _options.AppId);
        request.Headers.TryAddWithoutValidation("AppSecret", _options.AppSecret);

        if (call.Payload is { } fields)
        {
            var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
            var payload = PayloadSigner.EncodePayload([.. fields, PayloadField.Text("timestamp", timestamp)], _options.AppKey);
            request.Content = JsonBody(JsonSerializer.SerializeToUtf8Bytes(new SignedBody(payload), PlatformJson.Options));
        }
        else if (call.PlainJson is { } json)
        {
            request.Content = JsonBody(json);
        }

        return request;
    }

    private static ByteArrayContent JsonBody(byte[] json) =>
        new(json) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" } } };

    private static T Interpret<T>(PlatformCall call, int status, byte[] body, Func<JsonElement, T> read)
    {
        using var envelope = Envelope.TryParse(body);
        if (status is >= 200 and < 300)
        {
            if (envelope is null)
            {
                throw new PlatformException(call.Name, PlatformErrorCategory.Unknown, 0, "The answer is not a platform envelope.", status, outcomeUnknown: true);
            }

            if (!envelope.IsSuccess)
            {
                throw Rejected(call, envelope, status, PlatformErrors.Categorize(envelope.Code, envelope.Message), outcomeUnknown: false, envelope.Code);
            }

            try
            {
                return read(envelope.Data);
            }
            catch (JsonException exception)
            {
                throw new PlatformException(call.Name, PlatformErrorCategory.Unknown, 0, "The platform said ok but its data is unreadable.", status, outcomeUnknown: true, innerException: exception);
            }
        }

        var category = PlatformErrors.FromHttpStatus(status);
        var outcomeUnknown = category == PlatformErrorCategory.Transient && status >= 500;
        if (envelope is null)
        {
            throw new PlatformException(call.Name, category, status, $"HTTP {status} without a platform envelope.", status, outcomeUnknown);
        }

        // A platform code that means something outranks the HTTP status, except 401, which is always about credentials.
        if (status != 401 && PlatformErrors.Categorize(envelope.Code, envelope.Message) is var known and not PlatformErrorCategory.Unknown)
        {
            category = known;
            outcomeUnknown = false;
        }

        throw Rejected(call, envelope, status, category, outcomeUnknown, envelope.Code == 0 ? status : envelope.Code);
    }

    private static PlatformException Rejected(PlatformCall call, Envelope envelope, int status, PlatformErrorCategory category, bool outcomeUnknown, int code) =>
        new(call.Name, category, code, envelope.Message, status, outcomeUnknown, envelope.EarlierOrderId);

    private static PlatformException Transport(PlatformCall call, string message, bool outcomeUnknown, Exception inner) =>
        new(call.Name, PlatformErrorCategory.Transient, 0, message, outcomeUnknown: outcomeUnknown, innerException: inner);

    // These fail before a single byte of the request leaves the machine.
    private static bool MayHaveBeenSent(HttpRequestException exception) =>
        exception.HttpRequestError is not (HttpRequestError.NameResolutionError
            or HttpRequestError.ConnectionError
            or HttpRequestError.SecureConnectionError
            or HttpRequestError.ProxyTunnelError);

    private long ElapsedMs(long started) => (long)_time.GetElapsedTime(started).TotalMilliseconds;

    private sealed record PlatformCall(string Name, HttpMethod Method, string Path, bool SafeToRepeat)
    {
        public string? MachineNo { get; init; }

        public long? OrderId { get; init; }

        public IReadOnlyList<PayloadField>? Payload { get; init; }

        public byte[]? PlainJson { get; init; }
    }

    private sealed record SignedBody(string Payload);

    private sealed class Envelope : IDisposable
    {
        private readonly JsonDocument _document;

        private Envelope(JsonDocument document)
        {
            _document = document;
            var root = document.RootElement;
            Code = root.TryGetProperty("code", out var code) ? ReadInt32(code) : 0;
            Message = root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String ? message.GetString()! : "";
            Data = root.TryGetProperty("data", out var data) ? data : default;
        }

        public int Code { get; }

        public string Message { get; }

        public JsonElement Data { get; }

        public bool IsSuccess => PlatformErrors.IsSuccess(Code, Message);

        public long? EarlierOrderId =>
            Data.ValueKind == JsonValueKind.Object && Data.TryGetProperty("order_id", out var orderId) && ReadInt64(orderId) is > 0 and var id
                ? id
                : null;

        public static Envelope? TryParse(byte[] body)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(body);
            }
            catch (JsonException)
            {
                return null;
            }

            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && (root.TryGetProperty("code", out _) || root.TryGetProperty("message", out _)))
            {
                return new Envelope(document);
            }

            document.Dispose();
            return null;
        }

        public void Dispose() => _document.Dispose();

        private static long ReadInt64(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt64(out var number) => number,
            JsonValueKind.String => TolerantReader.ParseInt64(value.GetString()),
            _ => 0,
        };

        private static int ReadInt32(JsonElement value) =>
            ReadInt64(value) is var number and >= int.MinValue and <= int.MaxValue ? (int)number : -1;
    }
}
