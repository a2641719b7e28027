using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vending.Platform.Simulator.Callbacks;
using Vending.Platform.Simulator.Catalog;
using Vending.Platform.Simulator.Faults;
using Vending.Platform.Simulator.Platform;
using Vending.Platform.Simulator.State;

namespace Vending.Platform.Simulator.Control;

/// <summary>The /_sim control surface: inspect state, build machines, script faults, move the clock.</summary>
internal sealed class ControlService(SimulatorState state)
{
    private const int MaxFaultCount = 10_000;

    public StateView Summary()
    {
        lock (state.Gate)
        {
            state.TickUnlocked();
            return new StateView(
                ControlViews.Clock(state.Clock),
                state.Machines.Count,
                state.Products.Count,
                state.Orders.Values.GroupBy(o => o.Status).OrderBy(g => g.Key, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.Count()),
                state.Running.Count,
                state.Commands.Count,
                state.Refused.Count,
                state.CallbackLog.Count,
                state.CallbackFaults.Count,
                state.EndpointFaults.Count,
                state.Machines.Values.Sum(m => m.DispenseFaults.Count));
        }
    }

    public void Reset()
    {
        state.Reset();
        Log.Control(state.Logger, "reset");
    }

    public IReadOnlyList<MachineView> Machines()
    {
        lock (state.Gate)
        {
            state.TickUnlocked();
            var now = state.Clock.Now;
            return state.Machines.Values.Select(m => ControlViews.Machine(state, m, now)).ToList();
        }
    }

    public IResult Machine(string machineNo)
    {
        lock (state.Gate)
        {
            state.TickUnlocked();
            return state.Machines.TryGetValue(machineNo, out var machine)
                ? Results.Ok(ControlViews.Machine(state, machine, state.Clock.Now))
                : NotFound($"machine {machineNo} not found");
        }
    }

    public IResult CreateMachine(CreateMachineRequest request)
    {
        if (!MachineModels.TryParse(request.Model, out var model))
        {
            return BadRequest("model must be spring, conveyor, lock or drinks");
        }

        if (request.MachineNo is { } no && (no.Length < 8 || !no.All(char.IsAsciiDigit)))
        {
            return BadRequest("machine_no must be at least 8 digits");
        }

        if (request.LockSeconds is < 0 || request.ResultDelayMs is < 0)
        {
            return BadRequest("lock_seconds and result_delay_ms must be >= 0");
        }

        var products = new List<ProductSpec>();
        foreach (var item in request.Products ?? [])
        {
            if (string.IsNullOrWhiteSpace(item.Name) || !PlatformFormat.TryParseMoney(item.Price, out var price))
            {
                return BadRequest("every product needs a name and a price such as \"1.00\"");
            }

            var stock = item.Stock ?? 0;
            var capacity = item.Capacity ?? Math.Max(stock, 10);
            if (stock < 0 || capacity < stock)
            {
                return BadRequest("stock must be between 0 and capacity");
            }

            products.Add(new ProductSpec(
                item.Name, price, stock, capacity, item.CategoryId ?? 1, item.OnSale ?? true, item.CabinetName ?? "A"));
        }

        if (ReadBanners(request.Banners, out var error) is not { } banners)
        {
            return BadRequest(error);
        }

        lock (state.Gate)
        {
            if (request.MachineNo is { } taken && state.Machines.ContainsKey(taken))
            {
                return Results.Conflict(new ErrorView($"machine {taken} exists"));
            }

            var machine = MachineFactory.Create(state, new MachineSpec(
                request.MachineNo,
                request.Name,
                model,
                products,
                request.Online ?? true,
                request.Operating ?? true,
                request.PickupCodesEnabled ?? false,
                request.LockSeconds,
                request.ResultDelayMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
                Banners: banners));
            Log.Control(state.Logger, $"machine {machine.No} created");
            return Results.Created($"/_sim/machines/{machine.No}", ControlViews.Machine(state, machine, state.Clock.Now));
        }
    }

    public IResult UpdateMachine(string machineNo, UpdateMachineRequest request)
    {
        if (request.LockSeconds is < 0 || request.ResultDelayMs is < 0)
        {
            return BadRequest("lock_seconds and result_delay_ms must be >= 0");
        }

        lock (state.Gate)
        {
            if (!state.Machines.TryGetValue(machineNo, out var machine))
            {
                return NotFound($"machine {machineNo} not found");
            }

            machine.Online = request.Online ?? machine.Online;
            machine.Operating = request.Operating ?? machine.Operating;
            machine.PickupCodesEnabled = request.PickupCodesEnabled ?? machine.PickupCodesEnabled;
            machine.LockSeconds = request.LockSeconds ?? machine.LockSeconds;
            if (request.ResultDelayMs is { } ms)
            {
                machine.ResultDelay = TimeSpan.FromMilliseconds(ms);
            }

            return Results.Ok(ControlViews.Machine(state, machine, state.Clock.Now));
        }
    }

    public IResult SetBanners(string machineNo, IReadOnlyList<BannerRequest>? request)
    {
        if (ReadBanners(request, out var error) is not { } banners)
        {
            return BadRequest(error);
        }

        lock (state.Gate)
        {
            if (!state.Machines.TryGetValue(machineNo, out var machine))
            {
                return NotFound($"machine {machineNo} not found");
            }

            machine.Banners.Clear();
            machine.Banners.AddRange(MachineFactory.Banners(state, banners));
            Log.Control(state.Logger, $"machine {machineNo} has {banners.Count} banner(s)");
            return Results.Ok(machine.Banners.Select(ControlViews.Banner).ToList());
        }
    }

    public IResult UpdateProduct(long productId, UpdateProductRequest request)
    {
        long? price = null;
        if (request.Price is not null)
        {
            if (!PlatformFormat.TryParseMoney(request.Price, out var fen))
            {
                return BadRequest("price must look like \"1.00\"");
            }

            price = fen;
        }

        lock (state.Gate)
        {
            if (!state.Products.TryGetValue(productId, out var product))
            {
                return NotFound($"product {productId} not found");
            }

            if (request.FloorStatus is { } floor && floor is not (0 or 1 or 2 or 3 or 47))
            {
                return BadRequest("floor_status must be 0, 1, 2, 3 or 47");
            }

            var capacity = request.Capacity ?? product.Capacity;
            var stock = request.Stock ?? product.Stock;
            if (stock < 0 || capacity < 0)
            {
                return BadRequest("stock and capacity must be >= 0");
            }

            product.Name = request.Name ?? product.Name;
            product.PriceFen = price ?? product.PriceFen;
            product.Capacity = capacity;
            product.Stock = stock;
            product.OnSale = request.OnSale ?? product.OnSale;
            if (request.FloorStatus is { } status)
            {
                // A technician breaking or mending the slot: 1 mends it, anything else breaks it until mended.
                product.BrokenFloorStatus = status == 1 ? null : status;
                product.FloorStatus = status;
            }
            if (request.CategoryId is { } categoryId)
            {
                state.EnsureCategory(categoryId);
                product.CategoryId = categoryId;
            }

            return Results.Ok(ControlViews.Product(product));
        }
    }

    public IResult AddDispenseFault(string machineNo, DispenseFaultRequest request)
    {
        var mode = request.Mode switch
        {
            "fail" or null => DispenseFaultMode.Fail,
            "timeout" => DispenseFaultMode.Timeout,
            _ => (DispenseFaultMode?)null,
        };
        if (mode is null || request.Count is < 1 or > MaxFaultCount)
        {
            return BadRequest("mode must be fail or timeout and count >= 1");
        }

        var reason = string.IsNullOrWhiteSpace(request.Reason) ? FailureTexts.GoodsAreStuck : request.Reason;
        lock (state.Gate)
        {
            if (!state.Machines.TryGetValue(machineNo, out var machine))
            {
                return NotFound($"machine {machineNo} not found");
            }

            var fault = new DispenseFault
            {
                Mode = mode.Value,
                Remaining = request.Count ?? 1,
                Reason = reason,
                FloorStatus = request.FloorStatus ?? FailureTexts.DefaultFloorStatus(reason),
            };
            machine.DispenseFaults.Add(fault);
            Log.Control(state.Logger, $"dispense fault {request.Mode ?? "fail"} x{fault.Remaining} on {machineNo}");
            return Results.Ok(ControlViews.DispenseFault(fault));
        }
    }

    public IResult AddCallbackFault(CallbackFaultRequest request)
    {
        if (!FaultNames.TryParseCallbackMode(request.Mode, out var mode) || request.Count is < 1 or > MaxFaultCount)
        {
            return BadRequest("mode must be drop, duplicate, delay or reorder and count >= 1");
        }

        if (request.DelayMs is < 0)
        {
            return BadRequest("delay_ms must be >= 0");
        }

        lock (state.Gate)
        {
            var fault = new CallbackFault
            {
                Id = state.NewFaultId(),
                MachineNo = request.MachineNo,
                Mode = mode,
                Count = request.Count ?? 1,
                Remaining = request.Count ?? 1,
                DelayMs = request.DelayMs,
            };
            state.CallbackFaults.Add(fault);
            Log.Control(state.Logger, $"callback fault {request.Mode} x{fault.Count} on {request.MachineNo ?? "all machines"}");
            return Results.Ok(ControlViews.CallbackFault(fault));
        }
    }

    public IResult AddEndpointFault(EndpointFaultRequest request)
    {
        if (request.Endpoint is null || !FaultNames.Endpoints.Contains(request.Endpoint))
        {
            return BadRequest($"endpoint must be one of {string.Join(", ", FaultNames.Endpoints)}");
        }

        if (!FaultNames.TryParseEndpointMode(request.Mode, out var mode) || request.Count is < 1 or > MaxFaultCount)
        {
            return BadRequest("mode must be error500, error500_after, hang, hang_after, drop_after or slow and count >= 1");
        }

        if (request.DelayMs is < 0)
        {
            return BadRequest("delay_ms must be >= 0");
        }

        lock (state.Gate)
        {
            var fault = new EndpointFault
            {
                Id = state.NewFaultId(),
                Endpoint = request.Endpoint,
                MachineNo = request.MachineNo,
                Mode = mode,
                Remaining = request.Count ?? 1,
                DelayMs = request.DelayMs,
            };
            state.EndpointFaults.Add(fault);
            Log.Control(state.Logger, $"endpoint fault {request.Mode} x{fault.Remaining} on {request.Endpoint}");
            return Results.Ok(ControlViews.EndpointFault(fault));
        }
    }

    public FaultsView Faults()
    {
        lock (state.Gate)
        {
            return new FaultsView(
                state.CallbackFaults.Select(ControlViews.CallbackFault).ToList(),
                state.EndpointFaults.Select(ControlViews.EndpointFault).ToList(),
                state.Machines.Values.Where(m => m.DispenseFaults.Count > 0).ToDictionary(
                    m => m.No,
                    m => (IReadOnlyList<DispenseFaultView>)m.DispenseFaults.Select(ControlViews.DispenseFault).ToList()));
        }
    }

    public void ClearFaults(string? machineNo)
    {
        List<CallbackJob> held;
        lock (state.Gate)
        {
            held = state.ReleaseHeldCallbacksUnlocked(machineNo);
            state.EndpointFaults.RemoveAll(f => machineNo is null || f.MachineNo == machineNo);
            foreach (var machine in state.Machines.Values.Where(m => machineNo is null || m.No == machineNo))
            {
                machine.DispenseFaults.Clear();
            }
        }

        foreach (var job in held)
        {
            state.Enqueue(job);
        }

        Log.Control(state.Logger, $"faults cleared for {machineNo ?? "all machines"}");
    }

    public ClockView Clock() => ControlViews.Clock(state.Clock);

    public IResult MoveClock(ClockRequest request)
    {
        if (request.AdvanceSeconds is < 0 || request.Speed is < 0)
        {
            return BadRequest("advance_seconds and speed must be >= 0");
        }

        if (request.Speed is { } speed)
        {
            state.Clock.SetSpeed(speed);
        }

        if (request.AdvanceSeconds is { } seconds)
        {
            state.Clock.Advance(TimeSpan.FromSeconds(seconds));
        }

        state.Tick();
        Log.Control(state.Logger, $"clock advanced {request.AdvanceSeconds ?? 0}s, speed {state.Clock.Speed}");
        return Results.Ok(ControlViews.Clock(state.Clock));
    }

    public SettingsView Settings() => ControlViews.Settings(state.Settings);

    public IResult UpdateSettings(SettingsRequest request)
    {
        if (request.ResultDelayMs is < 0 || request.DeviceTimeoutSeconds is <= 0
            || request.UnpaidOrderLifetimeSeconds is <= 0 || request.PaidOrderDispenseWindowSeconds is < 0)
        {
            return BadRequest("durations must be positive");
        }

        lock (state.Gate)
        {
            state.UpdateSettings(s =>
            {
                if (request.ResultDelayMs is { } delay)
                {
                    s.ResultDelay = TimeSpan.FromMilliseconds(delay);
                }

                if (request.DeviceTimeoutSeconds is { } timeout)
                {
                    s.DeviceTimeout = TimeSpan.FromSeconds(timeout);
                }

                if (request.UnpaidOrderLifetimeSeconds is { } lifetime)
                {
                    s.UnpaidOrderLifetime = TimeSpan.FromSeconds(lifetime);
                }

                if (request.PaidOrderDispenseWindowSeconds is { } window)
                {
                    s.PaidOrderDispenseWindow = window == 0 ? null : TimeSpan.FromSeconds(window);
                }
            });
            return Results.Ok(ControlViews.Settings(state.Settings));
        }
    }

    public CommandLogView Commands(string? machineNo, long? orderId)
    {
        lock (state.Gate)
        {
            state.TickUnlocked();
            return new CommandLogView(
                state.Commands
                    .Where(c => (machineNo is null || c.MachineNo == machineNo) && (orderId is null || c.OrderId == orderId))
                    .Select(ControlViews.Command).ToList(),
                state.Refused
                    .Where(r => (machineNo is null || r.MachineNo == machineNo)
                        && (orderId is null || r.OrderId == orderId.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                    .Select(ControlViews.Refused).ToList());
        }
    }

    public IReadOnlyList<CallbackView> Callbacks(string? machineNo, long? orderId)
    {
        lock (state.Gate)
        {
            return state.CallbackLog
                .Where(c => (machineNo is null || c.MachineNo == machineNo) && (orderId is null || c.OrderId == orderId))
                .Select(ControlViews.Callback).ToList();
        }
    }

    public IReadOnlyList<OrderView> Orders(string? machineNo, string? tradeId)
    {
        lock (state.Gate)
        {
            state.TickUnlocked();
            return state.Orders.Values
                .Where(o => (machineNo is null || o.MachineNo == machineNo) && (tradeId is null || o.TradeId == tradeId))
                .OrderBy(o => o.Id)
                .Select(o => ControlViews.Order(state, o)).ToList();
        }
    }

    public IResult Order(long orderId)
    {
        lock (state.Gate)
        {
            state.TickUnlocked();
            return state.Orders.TryGetValue(orderId, out var order)
                ? Results.Ok(ControlViews.Order(state, order))
                : NotFound($"order {orderId} not found");
        }
    }

    public IReadOnlyDictionary<string, int> Requests()
    {
        lock (state.Gate)
        {
            return new SortedDictionary<string, int>(state.RequestCounts, StringComparer.Ordinal);
        }
    }

    public IResult Sign(SignRequest request)
    {
        if (request.Fields is not { Count: > 0 } fields)
        {
            return BadRequest("fields is required");
        }

        var texts = fields.Where(f => f.Key != "sign").ToDictionary(
            f => f.Key,
            f => f.Value.ValueKind switch
            {
                JsonValueKind.String => f.Value.GetString(),
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                _ => f.Value.GetRawText(),
            },
            StringComparer.Ordinal);
        var appKey = state.Settings.AppKey;
        var sign = PayloadSigner.Sign(texts, appKey);
        var payload = new JsonObject();
        foreach (var (key, value) in fields.Where(f => f.Key != "sign"))
        {
            payload[key] = JsonSerializer.SerializeToNode(value);
        }

        payload["sign"] = sign;
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(payload.ToJsonString(ProtoJson.WriteOptions)));
        return Results.Ok(new SignView(PayloadSigner.StringToSign(texts, appKey), sign, encoded));
    }

    private static List<BannerSpec>? ReadBanners(IReadOnlyList<BannerRequest>? items, out string error)
    {
        error = "every banner needs id > 0 (or none), a non-empty status, an http(s) cover_image and counts >= 0; ids must be unique";
        var banners = new List<BannerSpec>();
        foreach (var item in items ?? [])
        {
            if (item is null || item.Id is <= 0 || item.Status is { Length: 0 } || item.HitCount is < 0 || item.ViewsCount is < 0
                || (item.CoverImage is { } url && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")))
            {
                return null;
            }

            banners.Add(new BannerSpec(
                item.SortId ?? 0, item.Status ?? Banner.Approved, item.IsVisible ?? true, item.CoverImage, item.HitCount ?? 0, item.ViewsCount ?? 0, item.Id));
        }

        var ids = banners.Where(b => b.Id is not null).Select(b => b.Id).ToList();
        return ids.Distinct().Count() == ids.Count ? banners : null;
    }

    private static IResult BadRequest(string error) => Results.BadRequest(new ErrorView(error));

    private static IResult NotFound(string error) => Results.NotFound(new ErrorView(error));
}
