using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Vending.Platform.Simulator.Callbacks;
using Vending.Platform.Simulator.Catalog;
using Vending.Platform.Simulator.Deliveries;
using Vending.Platform.Simulator.Faults;
using Vending.Platform.Simulator.Orders;
using Vending.Platform.Simulator.Platform;

namespace Vending.Platform.Simulator.State;

/// <summary>The whole simulated platform, in memory; every read or write holds <see cref="Gate"/>.</summary>
public sealed class SimulatorState
{
    private readonly SimulatorOptions _initial;
    private long _nextOrderId = 1000;
    private long _nextRecordId = 5000;
    private long _nextDeliveryId = 700000;
    private long _nextProductId = 2000000;
    private long _nextPickupCodeId = 300;
    private long _nextBannerId = 9000;
    private long _nextMachineNo = 20000001;
    private long _nextFaultId = 1;
    private long _nextCallbackSeq = 1;
    private long _nextCommandSeq = 1;

    public SimulatorState(IOptions<SimulatorOptions> options, SimClock clock, ILogger<SimulatorState> logger)
    {
        _initial = options.Value.Clone();
        Settings = _initial.Clone();
        _nextOrderId += _initial.IdBase;
        _nextRecordId += _initial.IdBase;
        _nextDeliveryId += _initial.IdBase;
        Clock = clock;
        Logger = logger;
        lock (Gate)
        {
            ResetUnlocked();
        }
    }

    public SimClock Clock { get; }

    internal Lock Gate { get; } = new();

    internal ILogger Logger { get; }

    internal SimulatorOptions Settings { get; private set; }

    internal Channel<CallbackJob> CallbackQueue { get; } = Channel.CreateUnbounded<CallbackJob>();

    internal Dictionary<string, Machine> Machines { get; } = new(StringComparer.Ordinal);

    internal Dictionary<long, Product> Products { get; } = [];

    internal SortedDictionary<int, Category> Categories { get; } = [];

    internal Dictionary<long, Order> Orders { get; } = [];

    internal HashSet<long> UnpaidOrders { get; } = [];

    internal Dictionary<string, long> TradeIds { get; } = new(StringComparer.Ordinal);

    internal Dictionary<string, Delivery> Deliveries { get; } = new(StringComparer.Ordinal);

    internal List<Delivery> Commands { get; } = [];

    internal List<Delivery> Running { get; } = [];

    internal List<RefusedCommand> Refused { get; } = [];

    internal Dictionary<long, PickupCode> PickupCodes { get; } = [];

    internal List<CallbackLogEntry> CallbackLog { get; } = [];

    internal List<CallbackFault> CallbackFaults { get; } = [];

    internal List<EndpointFault> EndpointFaults { get; } = [];

    internal SortedDictionary<string, int> RequestCounts { get; } = new(StringComparer.Ordinal);

    internal int FailureCallbacks { get; set; }

    /// <summary>Clears every order, log and fault and reseeds the merchant; ids keep increasing.</summary>
    public void Reset()
    {
        List<CallbackJob> held;
        lock (Gate)
        {
            held = ReleaseHeldCallbacksUnlocked(null);
            ResetUnlocked();
        }

        foreach (var job in held)
        {
            CallbackQueue.Writer.TryWrite(job);
        }
    }

    /// <summary>Fires every device result, timeout and order expiry due at the current sim time.</summary>
    public void Tick()
    {
        lock (Gate)
        {
            TickUnlocked();
        }
    }

    internal void TickUnlocked()
    {
        var now = Clock.Now;
        DeviceEngine.FireDue(this, now);
        OrderLifecycle.ExpireDue(this, now);
    }

    internal long NewOrderId() => ++_nextOrderId;

    internal long NewRecordId() => ++_nextRecordId;

    internal string NewDeliveryId() => (++_nextDeliveryId).ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal long NewProductId() => ++_nextProductId;

    internal long NewPickupCodeId() => ++_nextPickupCodeId;

    internal long NewBannerId() => ++_nextBannerId;

    internal long NewFaultId() => _nextFaultId++;

    internal long NewCommandSeq() => _nextCommandSeq++;

    internal string NewMachineNo()
    {
        string no;
        do
        {
            no = (_nextMachineNo++).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        while (Machines.ContainsKey(no));

        return no;
    }

    internal Machine RequireMachine(string machineNo) =>
        Machines.TryGetValue(machineNo, out var machine) ? machine : throw PlatformErrors.MachineNotFound();

    internal Order RequireOrder(long orderId, string machineNo) =>
        Orders.TryGetValue(orderId, out var order) && order.MachineNo == machineNo
            ? order
            : throw PlatformErrors.RecordNotFound();

    internal Product RequireProduct(long productId, string machineNo) =>
        Products.TryGetValue(productId, out var product) && product.MachineNo == machineNo
            ? product
            : throw PlatformErrors.ProductNotFound();

    internal IEnumerable<Product> ProductsOf(Machine machine) => machine.ProductIds.Select(id => Products[id]);

    internal Category EnsureCategory(int id)
    {
        if (!Categories.TryGetValue(id, out var category))
        {
            category = new Category(id, $"Category {id}");
            Categories[id] = category;
        }

        return category;
    }

    internal void Enqueue(CallbackJob job) => CallbackQueue.Writer.TryWrite(job);

    internal EndpointFault? TakeEndpointFault(string endpoint, string? machineNo)
    {
        lock (Gate)
        {
            RequestCounts[endpoint] = RequestCounts.GetValueOrDefault(endpoint) + 1;
            var fault = EndpointFaults.FirstOrDefault(f =>
                f.Endpoint == endpoint && f.Remaining > 0 && (f.MachineNo is null || f.MachineNo == machineNo));
            if (fault is null)
            {
                return null;
            }

            if (--fault.Remaining <= 0)
            {
                EndpointFaults.Remove(fault);
            }

            return fault;
        }
    }

    internal CallbackFault? TakeCallbackFaultUnlocked(string machineNo)
    {
        var fault = CallbackFaults.FirstOrDefault(f =>
            f.Remaining > 0 && (f.MachineNo is null || f.MachineNo == machineNo));
        if (fault is null)
        {
            return null;
        }

        if (--fault.Remaining <= 0 && fault.Mode != CallbackFaultMode.Reorder)
        {
            CallbackFaults.Remove(fault);
        }

        return fault;
    }

    internal CallbackLogEntry LogCallbackUnlocked(CallbackJob job, string? fault, bool pending)
    {
        var entry = new CallbackLogEntry
        {
            Seq = _nextCallbackSeq++,
            MachineNo = job.MachineNo,
            OrderId = job.OrderId,
            RecordId = job.RecordId,
            Url = job.Url,
            Body = (JsonObject)job.Body.DeepClone(),
            At = Clock.Now,
            AtReal = DateTimeOffset.UtcNow,
            Fault = fault,
            Pending = pending,
        };
        CallbackLog.Add(entry);
        if (Orders.TryGetValue(job.OrderId, out var order))
        {
            order.NotifySendCount++;
        }

        return entry;
    }

    internal void CompleteCallback(CallbackLogEntry entry, int? httpStatus, string? error)
    {
        lock (Gate)
        {
            entry.HttpStatus = httpStatus;
            entry.Error = error;
            entry.Pending = false;
            if (httpStatus is >= 200 and < 300
                && Orders.TryGetValue(entry.OrderId, out var order)
                && order.Records.Find(r => r.Id == entry.RecordId) is { } record)
            {
                record.NotifySent = true;
            }
        }
    }

    // Faults being cleared must not swallow callbacks they hold: those go out at once.
    internal List<CallbackJob> ReleaseHeldCallbacksUnlocked(string? machineNo)
    {
        var released = new List<CallbackJob>();
        foreach (var fault in CallbackFaults.Where(f => machineNo is null || f.MachineNo == machineNo).ToList())
        {
            if (!fault.Flushed)
            {
                fault.Flushed = true;
                released.AddRange(fault.Held);
            }

            CallbackFaults.Remove(fault);
        }

        return released;
    }

    private void ResetUnlocked()
    {
        Settings = _initial.Clone();
        Machines.Clear();
        Products.Clear();
        Categories.Clear();
        Orders.Clear();
        UnpaidOrders.Clear();
        TradeIds.Clear();
        Deliveries.Clear();
        Commands.Clear();
        Running.Clear();
        Refused.Clear();
        PickupCodes.Clear();
        CallbackLog.Clear();
        CallbackFaults.Clear();
        EndpointFaults.Clear();
        RequestCounts.Clear();
        FailureCallbacks = 0;
        foreach (var category in SeedData.Categories)
        {
            Categories[category.Id] = category;
        }

        if (Settings.Seed)
        {
            SeedData.Apply(this);
        }
    }

    internal void UpdateSettings(Action<SimulatorOptions> update)
    {
        var next = Settings.Clone();
        update(next);
        Settings = next;
    }
}
