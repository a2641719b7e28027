using Vending.Platform.Simulator.State;

namespace Vending.Platform.Simulator.Catalog;

/// <summary>The seeded merchant; ids are fixed so other test suites can rely on them (see README).</summary>
internal static class SeedData
{
    public static readonly IReadOnlyList<Category> Categories =
    [
        new(1, "Drinks"),
        new(2, "Snacks"),
        new(3, "Fresh food"),
        new(4, "Daily goods"),
    ];

    public static void Apply(SimulatorState state)
    {
        MachineFactory.Create(state, new MachineSpec(
            "16327129",
            "Lobby spring machine",
            MachineModel.Spring,
            [
                new("Cola 330ml", 300, 8, 10, 1, Id: 1323442),
                new("Mineral Water", 200, 10, 10, 1, Id: 1323443),
                new("Potato Chips", 550, 6, 8, 2, Id: 1323444),
                new("Chocolate Bar", 400, 5, 8, 2, OnSale: false, Id: 1323445),
                new("Butter Cookies", 350, 0, 8, 2, Id: 1323446),
            ],
            PickupCodesEnabled: true,
            Address: "1F Lobby, 88 Century Avenue",
            Banners:
            [
                new(30, HitCount: 12, ViewsCount: 340, Id: 101),
                new(20, HitCount: 5, ViewsCount: 120, Id: 102),
                new(0, ViewsCount: 45, Id: 103),
                new(40, Visible: false, Id: 104),
                new(50, Status: "PENDING", Id: 105),
            ]));
        MachineFactory.Create(state, new MachineSpec(
            "16327130",
            "Canteen conveyor machine",
            MachineModel.Conveyor,
            [
                new("Ham Sandwich", 1200, 4, 6, 3, Id: 1323450),
                new("Garden Salad", 1500, 3, 6, 3, Id: 1323451),
                new("Yogurt", 600, 6, 8, 3, Id: 1323452),
                new("Orange Juice", 700, 5, 8, 1, Id: 1323453),
            ],
            Address: "2F Canteen, 88 Century Avenue"));
        MachineFactory.Create(state, new MachineSpec(
            "16327131",
            "Station locker",
            MachineModel.Lock,
            [
                new("Umbrella", 2500, 2, 2, 4, Id: 1323460),
                new("Power Bank", 4900, 3, 4, 4, Id: 1323461),
                new("Tissues", 250, 6, 8, 4, Id: 1323462),
                new("Chewing Gum", 150, 10, 10, 2, Id: 1323463),
            ],
            Address: "Metro Line 2, Exit 3"));
        MachineFactory.Create(state, new MachineSpec(
            "16327132",
            "Gym drinks machine",
            MachineModel.Drinks,
            [
                new("Cola 330ml", 300, 20, 24, 1, Id: 1323470),
                new("Green Tea", 350, 18, 24, 1, Id: 1323471),
                new("Iced Coffee", 600, 12, 16, 1, Id: 1323472),
                new("Sparkling Water", 400, 16, 16, 1, Id: 1323473),
                new("Energy Drink", 650, 10, 12, 1, Id: 1323474),
            ],
            Address: "B1 Gym, 88 Century Avenue",
            Banners:
            [
                new(10, Id: 121),
                new(70, Id: 122),
                new(20, Id: 123),
                new(60, Id: 124),
                new(30, Id: 125),
                new(50, Id: 126),
                new(40, Id: 127),
                new(80, Status: "REJECTED", Id: 128),
            ]));
        MachineFactory.Create(state, new MachineSpec(
            "16327133",
            "Parking spring machine",
            MachineModel.Spring,
            [
                new("Cola 330ml", 300, 5, 10, 1, Id: 1323480),
                new("Crackers", 450, 5, 8, 2, Id: 1323481),
                new("Mineral Water", 200, 7, 10, 1, Id: 1323482),
                new("Fruit Candy", 100, 9, 10, 2, Id: 1323483),
            ],
            Online: false,
            Address: "B2 Parking, 88 Century Avenue"));
        MachineFactory.Create(state, new MachineSpec(
            "8668380625375492",
            "Campus spring machine",
            MachineModel.Spring,
            [
                new("Instant Noodles", 600, 6, 8, 3, Id: 1323490),
                new("Cola 330ml", 300, 7, 10, 1, Id: 1323491),
                new("Roasted Peanuts", 500, 8, 10, 2, Id: 1323492),
                new("Iced Tea", 400, 6, 10, 1, Id: 1323493),
            ],
            Address: "Library hall, North Campus"));
    }
}
