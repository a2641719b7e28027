using Merchant.Api.Catalog;
using Merchant.Api.Checkouts;
using Merchant.Api.Dispensing;
using Merchant.Api.Errors;
using Merchant.Api.Hosting;
using Merchant.Api.Payments;
using Merchant.Api.Persistence;
using Merchant.Api.Slots;
using Merchant.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Vending.Platform;

namespace Merchant.Api.Fleet;

/// <summary>
/// The machines as ops see them: what the platform lists (online, slots, stock) recorded in machine_states and
/// slot_states, with the health the machines reported, and restocking. Platform reads are safe to repeat and run inline;
/// when the platform cannot be read the views show the last known state.
/// </summary>
public sealed partial class FleetService(
    MerchantDbContext db, IPlatformApi platform, SlotHealth slots, CatalogService catalog, TimeProvider clock,
    IOptions<FleetOptions> options, ILogger<FleetService> logger)
{
    // Slot lists are read a few machines at a time: enough to keep an ops view quick, few enough not to crowd the platform.
    private const int ParallelReads = 4;
    private const string OverCapacityText = "超出货道最大库存";

    /// <summary>Re-reads the machine list and the slots of every machine (or of one); false when the platform failed.</summary>
    public async Task<bool> RefreshAsync(string? machineNo, CancellationToken cancellationToken)
    {
        IReadOnlyList<MachineSummary> machines;
        try
        {
            machines = await platform.ListMachinesAsync(cancellationToken);
        }
        catch (PlatformException e)
        {
            LogRefreshFailed(logger, machineNo ?? "all", e.Category);
            return false;
        }

        await RecordMachinesAsync(machines, cancellationToken);
        // Offline machines too: the platform may still list their slots, and their stock is what ops restock first.
        var wanted = machines.Where(m => machineNo is null || m.MachineNo == machineNo).Select(m => m.MachineNo).ToList();
        var read = new List<(string MachineNo, IReadOnlyList<MachineSlot>? Floors)>();
        foreach (var batch in wanted.Chunk(ParallelReads))
        {
            read.AddRange(await Task.WhenAll(batch.Select(async no => (no, await TryFloorsAsync(no, cancellationToken)))));
        }

        // One DbContext: recorded one machine after another, after the reads ran side by side.
        foreach (var (no, floors) in read)
        {
            if (floors is not null)
            {
                await slots.RecordFloorsAsync(no, floors, options.Value.LowStockThreshold, cancellationToken);
            }
        }

        return read.All(r => r.Floors is not null);
    }

    public async Task<IReadOnlyList<MachineListItem>> MachinesAsync(CancellationToken cancellationToken)
    {
        await RefreshAsync(null, cancellationToken);
        var machines = await db.Set<MachineState>().AsNoTracking().OrderBy(m => m.MachineNo).ToListAsync(cancellationToken);
        var slotRows = await db.Set<SlotState>().AsNoTracking().ToListAsync(cancellationToken);
        var today = await TodayAsync(null, cancellationToken);
        var dispensing = await DispensingAsync(null, cancellationToken);
        var threshold = options.Value.LowStockThreshold;
        return [.. machines.Select(m =>
        {
            var own = slotRows.Where(s => s.MachineNo == m.MachineNo).ToList();
            return new MachineListItem(m.MachineNo, m.Name, m.Online, m.Operating, own.Count, own.Count(s => s.InFault),
                own.Count(s => IsLow(s, threshold)), today.GetValueOrDefault(m.MachineNo, Empty))
            {
                OfflineSince = m.OfflineSince,
                Dispensing = dispensing.GetValueOrDefault(m.MachineNo),
            };
        })];
    }

    public async Task<MachineDetail> DetailAsync(string machineNo, CancellationToken cancellationToken)
    {
        CheckoutValidation.MachineNo(machineNo);
        await RefreshAsync(machineNo, cancellationToken);
        var machine = await db.Set<MachineState>().AsNoTracking().SingleOrDefaultAsync(m => m.MachineNo == machineNo, cancellationToken)
            ?? throw new ApiProblem(404, "machine_not_found", "The machine is not known to the platform.");
        var threshold = options.Value.LowStockThreshold;
        var slotViews = (await SlotsAsync(machineNo, cancellationToken)).Select(s => s.ToView(threshold)).ToList();
        var cabinets = slotViews.GroupBy(s => s.Cabinet ?? "?").OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new CabinetView(g.Key, [.. g.OrderBy(s => s.Slot, StringComparer.Ordinal).ThenBy(s => s.ProductId)]))
            .ToList();
        var today = await TodayAsync(machineNo, cancellationToken);
        return new MachineDetail(machine.MachineNo, machine.Name, machine.Online, machine.Operating, threshold, cabinets,
            today.GetValueOrDefault(machineNo, Empty))
        {
            OfflineSince = machine.OfflineSince,
            SeenAt = machine.SeenAt,
            Dispensing = (await DispensingAsync(machineNo, cancellationToken)).GetValueOrDefault(machineNo),
        };
    }

    /// <summary>
    /// Restocks through the platform (CONTRACT §3.8), never above a slot's capacity: refused here with the slots named when we
    /// can see it, and mapped from the platform's own refusal otherwise. The storefront's stock is read afresh afterwards.
    /// </summary>
    public async Task<RestockResult> RestockAsync(string machineNo, RestockRequest request, CancellationToken cancellationToken)
    {
        CheckoutValidation.MachineNo(machineNo);
        var scope = Validate(request);
        var floors = await FloorsAsync(machineNo, cancellationToken);
        var targets = scope switch
        {
            "product" => floors.Where(f => f.ProductId == request.ProductId).ToList(),
            "category" => await CategorySlotsAsync(machineNo, request.CategoryId!.Value, request.Cabinet, floors, cancellationToken),
            _ => floors.Where(f => request.Cabinet is null || f.CabinetName == request.Cabinet).ToList(),
        };
        if (targets.Count == 0)
        {
            throw new ApiProblem(404, "slot_not_found", "No slot of this machine matches what was asked to restock.");
        }

        if (request.Stock is { } stock && targets.Where(t => stock > t.Capacity).ToList() is { Count: > 0 } over)
        {
            throw new ApiProblem(422, "over_capacity", "A slot cannot hold that many items.",
                    $"{stock} is more than {string.Join(", ", over.Select(o => $"slot {o.Name} holds {o.Capacity}"))}.")
                .With("slots", over.Select(o => new { slot = o.Name, product_id = o.ProductId, capacity = o.Capacity }).ToList());
        }

        var call = scope switch
        {
            "product" => Vending.Platform.RestockRequest.ForProduct(machineNo, request.ProductId!.Value, request.Stock!.Value),
            "category" => Vending.Platform.RestockRequest.ForCategory(machineNo, request.CategoryId!.Value, request.Stock!.Value, request.Cabinet),
            _ => Vending.Platform.RestockRequest.ForMachine(machineNo, request.Cabinet),
        };
        try
        {
            await platform.RestockAsync(call, cancellationToken);
        }
        catch (PlatformException e) when (e.PlatformMessage.Contains(OverCapacityText, StringComparison.Ordinal))
        {
            throw new ApiProblem(422, "over_capacity", "A slot cannot hold that many items.", "The platform refused: more than the slot's capacity.");
        }
        catch (PlatformException e)
        {
            throw e.ToProblem();
        }

        catalog.Invalidate(machineNo);
        var ids = targets.Select(t => t.ProductId).ToList();
        LogRestocked(logger, machineNo, scope, ids.Count);
        if (await TryFloorsAsync(machineNo, cancellationToken) is { } after)
        {
            await slots.RecordFloorsAsync(machineNo, after, options.Value.LowStockThreshold, cancellationToken);
        }

        var cleared = request.ClearFaults == true ? await slots.ClearAsync(machineNo, ids, "restock", cancellationToken) : [];
        var threshold = options.Value.LowStockThreshold;
        var views = (await SlotsAsync(machineNo, cancellationToken)).Where(s => ids.Contains(s.ProductId)).Select(s => s.ToView(threshold)).ToList();
        return new RestockResult(machineNo, scope, ids, cleared, views);
    }

    /// <summary>Ops say a slot works again (after mending it by hand): it sells again.</summary>
    public async Task<SlotClearResult> ClearSlotAsync(string machineNo, string slot, CancellationToken cancellationToken)
    {
        var state = await ResolveSlotAsync(machineNo, slot, cancellationToken);
        var cleared = await slots.ClearAsync(machineNo, [state.ProductId], "ops", cancellationToken);
        var after = await db.Set<SlotState>().AsNoTracking()
            .SingleAsync(s => s.MachineNo == machineNo && s.ProductId == state.ProductId, cancellationToken);
        return new SlotClearResult(cleared.Count > 0, after.ToView(options.Value.LowStockThreshold));
    }

    /// <summary>The slot with this label (e.g. <c>A11</c>), from a fresh read of the machine's slots when the platform answers.</summary>
    public async Task<SlotState> ResolveSlotAsync(string machineNo, string? slot, CancellationToken cancellationToken)
    {
        CheckoutValidation.MachineNo(machineNo);
        if (string.IsNullOrWhiteSpace(slot) || slot.Length > 32 || !slot.All(char.IsAsciiLetterOrDigit))
        {
            throw ApiProblem.Validation("slot must be the slot's label on the machine, e.g. A11.");
        }

        if (await TryFloorsAsync(machineNo, cancellationToken) is { } floors)
        {
            await slots.RecordFloorsAsync(machineNo, floors, options.Value.LowStockThreshold, cancellationToken);
        }

        var label = slot.ToUpperInvariant();
        return await db.Set<SlotState>().AsNoTracking().FirstOrDefaultAsync(s => s.MachineNo == machineNo && s.Slot == label, cancellationToken)
            ?? throw new ApiProblem(404, "slot_not_found", $"Machine {machineNo} has no slot {label}.");
    }

    private static string Validate(RestockRequest request)
    {
        var scopes = (request.ProductId is not null ? 1 : 0) + (request.CategoryId is not null ? 1 : 0) + (request.All == true ? 1 : 0);
        if (scopes != 1)
        {
            throw ApiProblem.Validation("Give exactly one of product_id, category_id or all: true.");
        }

        if (request.ProductId is <= 0 || request.CategoryId is <= 0)
        {
            throw ApiProblem.Validation("product_id and category_id must be positive.");
        }

        if (request.All == true && request.Stock is not null)
        {
            throw ApiProblem.Validation("all: true fills every slot to its capacity; it takes no stock.");
        }

        if (request.All != true && request.Stock is not >= 0)
        {
            throw ApiProblem.Validation("stock (0 or more) is required with product_id or category_id.");
        }

        if (request.ProductId is not null && request.Cabinet is not null)
        {
            throw ApiProblem.Validation("cabinet narrows a category or the whole machine, not a product.");
        }

        if (request.Cabinet is { } cabinet && (cabinet.Length is 0 or > 8 || !cabinet.All(char.IsAsciiLetterOrDigit)))
        {
            throw ApiProblem.Validation("cabinet must be a cabinet name such as A.");
        }

        return request.ProductId is not null ? "product" : request.CategoryId is not null ? "category" : "machine";
    }

    private async Task<List<MachineSlot>> CategorySlotsAsync(string machineNo, long categoryId, string? cabinet, IReadOnlyList<MachineSlot> floors,
        CancellationToken cancellationToken)
    {
        ProductPage page;
        try
        {
            // NOTE: one page of 100: a category with more products on one machine is restocked, but only 100 are checked here.
            page = await platform.GetProductsAsync(new ProductsRequest(machineNo) { CategoryId = categoryId, SelectAll = true, PerPage = 100 }, cancellationToken);
        }
        catch (PlatformException e)
        {
            throw e.ToProblem();
        }

        var ids = page.Items.Where(p => p.Category.Id == categoryId).Select(p => p.ProductId).ToHashSet();
        return [.. floors.Where(f => ids.Contains(f.ProductId) && (cabinet is null || f.CabinetName == cabinet))];
    }

    private async Task<IReadOnlyList<MachineSlot>> FloorsAsync(string machineNo, CancellationToken cancellationToken)
    {
        try
        {
            var floors = await platform.GetFloorsAsync(new FloorsRequest(machineNo), cancellationToken);
            await slots.RecordFloorsAsync(machineNo, floors, options.Value.LowStockThreshold, cancellationToken);
            return floors;
        }
        catch (PlatformException e)
        {
            throw e.ToProblem();
        }
    }

    private async Task<IReadOnlyList<MachineSlot>?> TryFloorsAsync(string machineNo, CancellationToken cancellationToken)
    {
        try
        {
            return await platform.GetFloorsAsync(new FloorsRequest(machineNo), cancellationToken);
        }
        catch (PlatformException e)
        {
            LogRefreshFailed(logger, machineNo, e.Category);
            return null;
        }
    }

    private async Task RecordMachinesAsync(IReadOnlyList<MachineSummary> machines, CancellationToken cancellationToken)
    {
        if (machines.Count == 0)
        {
            return;
        }

        var now = clock.GetUtcNow();
        var numbers = machines.Select(m => m.MachineNo).ToArray();
        var names = machines.Select(m => m.MachineName).ToArray();
        var online = machines.Select(m => m.IsOnline).ToArray();
        var operating = machines.Select(m => m.IsOperating).ToArray();
        await db.Database.ExecuteSqlAsync($"""
            WITH gone AS (DELETE FROM machine_states WHERE NOT (machine_no = ANY({numbers})))
            INSERT INTO machine_states AS m (machine_no, name, online, operating, offline_since, seen_at)
            SELECT f.no, f.name, f.online, f.operating, CASE WHEN f.online THEN NULL ELSE {now} END, {now}
            FROM unnest({numbers}, {names}, {online}, {operating}) AS f(no, name, online, operating)
            ON CONFLICT (machine_no) DO UPDATE SET
                name = EXCLUDED.name, online = EXCLUDED.online, operating = EXCLUDED.operating, seen_at = EXCLUDED.seen_at,
                offline_since = CASE WHEN EXCLUDED.online THEN NULL ELSE coalesce(m.offline_since, EXCLUDED.offline_since) END
            """, cancellationToken);
    }

    private Task<List<SlotState>> SlotsAsync(string machineNo, CancellationToken cancellationToken) =>
        db.Set<SlotState>().AsNoTracking().Where(s => s.MachineNo == machineNo).OrderBy(s => s.Slot).ToListAsync(cancellationToken);

    private static readonly TodayView Empty = new(0, 0, Money.ToWire(0));

    private async Task<Dictionary<string, TodayView>> TodayAsync(string? machineNo, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var dayStart = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var trades = await db.Trades.AsNoTracking()
            .Where(t => t.CreatedAt >= dayStart && (machineNo == null || t.MachineNo == machineNo))
            .GroupBy(t => t.MachineNo).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        var refunds = await db.Refunds.AsNoTracking()
            .Where(r => r.Status == Refund.Succeeded && r.CompletedAt >= dayStart)
            .Join(db.Trades, r => r.TradeId, t => t.TradeId, (r, t) => new { t.MachineNo, r.AmountFen })
            .Where(r => machineNo == null || r.MachineNo == machineNo)
            .GroupBy(r => r.MachineNo).Select(g => new { g.Key, Count = g.Count(), Fen = g.Sum(r => r.AmountFen) })
            .ToDictionaryAsync(g => g.Key, cancellationToken);
        return trades.Keys.Union(refunds.Keys).ToDictionary(no => no, no => new TodayView(
            trades.GetValueOrDefault(no),
            refunds.TryGetValue(no, out var r) ? r.Count : 0,
            Money.ToWire(refunds.TryGetValue(no, out var f) ? f.Fen : 0)));
    }

    private async Task<Dictionary<string, string>> DispensingAsync(string? machineNo, CancellationToken cancellationToken)
    {
        var lines = await db.TradeLines.AsNoTracking()
            .Where(l => l.Status == LineStatus.Dispensing && (machineNo == null || l.MachineNo == machineNo))
            .Select(l => new { l.MachineNo, l.TradeId, l.LineId }).ToListAsync(cancellationToken);
        var tests = await db.Set<TestDispense>().AsNoTracking()
            .Where(t => t.Status == TestDispense.Dispensing && (machineNo == null || t.MachineNo == machineNo))
            .Select(t => new { t.MachineNo, t.TestDispenseId }).ToListAsync(cancellationToken);
        var running = lines.ToDictionary(l => l.MachineNo, l => $"{l.TradeId}/{l.LineId}");
        foreach (var test in tests)
        {
            running[test.MachineNo] = $"test_dispense/{test.TestDispenseId}";
        }

        return running;
    }

    internal static bool IsLow(SlotState slot, int threshold) => slot.Stock is { } stock && stock <= threshold;

    [LoggerMessage(1, LogLevel.Warning, "Fleet refresh of {MachineNo}: the platform did not answer ({Category}); showing the last known state")]
    private static partial void LogRefreshFailed(ILogger logger, string machineNo, PlatformErrorCategory category);

    [LoggerMessage(2, LogLevel.Information, "Machine {MachineNo} restocked by {Scope}: {Slots} slot(s)")]
    private static partial void LogRestocked(ILogger logger, string machineNo, string scope, int slots);
}

internal static class SlotMapping
{
    public static SlotView ToView(this SlotState slot, int lowStockThreshold) =>
        new(slot.Slot, slot.Cabinet, slot.ProductId, slot.ProductName, slot.Stock, slot.Capacity, FleetService.IsLow(slot, lowStockThreshold),
            new SlotHealthView(slot.InFault ? "fault" : "ok", slot.FloorStatus, FloorStatuses.Name(slot.FloorStatus))
            {
                Reason = slot.FaultReason,
                Since = slot.FaultSince,
                FailuresWhileFaulted = slot.FailuresWhileFaulted,
                ClearedAt = slot.ClearedAt,
                ClearedBy = slot.ClearedBy,
            })
        {
            LastFailure = slot.LastFailureAt is { } at ? new SlotFailureView(at, slot.LastFailureReason, slot.LastFailureFloorStatus) : null,
        };
}
