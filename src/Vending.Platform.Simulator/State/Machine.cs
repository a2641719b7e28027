using Vending.Platform.Simulator.Faults;

namespace Vending.Platform.Simulator.State;

internal enum MachineModel
{
    Spring,
    Conveyor,
    Lock,
    Drinks,
}

internal static class MachineModels
{
    public static int DefaultLockSeconds(MachineModel model) => model switch
    {
        MachineModel.Spring => 30,
        MachineModel.Conveyor => 90,
        MachineModel.Lock => 15,
        MachineModel.Drinks => 45,
        _ => 45,
    };

    public static int Id(MachineModel model) => (int)model + 1;

    public static string Title(MachineModel model) => model switch
    {
        MachineModel.Spring => "Spring motor",
        MachineModel.Conveyor => "Conveyor with drop detection",
        MachineModel.Lock => "Electromagnetic lock",
        MachineModel.Drinks => "Drinks",
        _ => "Vending",
    };

    public static string Key(MachineModel model) => model.ToString().ToLowerInvariant();

    // Only the drinks model drops a whole line in one command; every other model drops one item.
    public static int DropsPerCommand(MachineModel model, int quantity) =>
        model == MachineModel.Drinks ? quantity : Math.Min(1, quantity);

    public static bool TryParse(string? text, out MachineModel model)
    {
        model = MachineModel.Spring;
        switch (text?.Trim().ToLowerInvariant())
        {
            case "spring":
                model = MachineModel.Spring;
                return true;
            case "conveyor":
                model = MachineModel.Conveyor;
                return true;
            case "lock":
                model = MachineModel.Lock;
                return true;
            case "drinks":
                model = MachineModel.Drinks;
                return true;
            default:
                return false;
        }
    }
}

internal sealed class Machine
{
    public required string No { get; init; }

    public required string Name { get; set; }

    public required MachineModel Model { get; init; }

    public bool Online { get; set; } = true;

    public bool Operating { get; set; } = true;

    public bool PickupCodesEnabled { get; set; }

    public int LockSeconds { get; set; }

    public TimeSpan? ResultDelay { get; set; }

    public string Address { get; set; } = "";

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset LockedUntil { get; set; } = DateTimeOffset.MinValue;

    public string? ActiveDeliveryId { get; set; }

    public List<long> ProductIds { get; } = [];

    public List<Banner> Banners { get; } = [];

    public List<DispenseFault> DispenseFaults { get; } = [];

    public bool IsLocked(DateTimeOffset now) => now < LockedUntil;

    public DispenseFault? TakeDispenseFault()
    {
        if (DispenseFaults.Count == 0)
        {
            return null;
        }

        var fault = DispenseFaults[0];
        fault.Remaining--;
        if (fault.Remaining <= 0)
        {
            DispenseFaults.RemoveAt(0);
        }

        return fault;
    }
}

internal sealed class Product
{
    public required long Id { get; init; }

    public required string MachineNo { get; init; }

    public required string Name { get; set; }

    public required long PriceFen { get; set; }

    public int Stock { get; set; }

    public int Capacity { get; set; }

    public int CategoryId { get; set; }

    public bool OnSale { get; set; } = true;

    public string CabinetName { get; init; } = "A";

    public int Row { get; init; } = 1;

    public int Column { get; init; } = 1;

    /// <summary>The slot's state as its last dispense reported it (CONTRACT §3.1a floor_status: 1 normal).</summary>
    public int FloorStatus { get; set; } = 1;

    /// <summary>Set by the control API: the slot is broken and every dispense from it fails with this floor_status until set back to 1.</summary>
    public int? BrokenFloorStatus { get; set; }

    public string ChannelName => $"{CabinetName}{Code}";

    public string Code => $"{Row}{Column}";

    public void Release(int quantity) => Stock = Math.Min(Math.Max(Capacity, Stock), Stock + quantity);
}

internal sealed record Category(int Id, string Title);

internal sealed record Banner(long Id, string Status, bool IsVisible, string CoverImage, int SortId, long HitCount, long ViewsCount)
{
    public const string Approved = "APPROVED";

    /// <summary>What the banners endpoint answers: the dashboard's approval and the merchant's visibility switch both gate it.</summary>
    public bool IsShown => Status == Approved && IsVisible;
}
