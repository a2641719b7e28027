namespace Vending.Platform.Simulator.Callbacks;

internal static class FailureTexts
{
    public const string GoodsAreStuck = "Goods are Stuck";

    // The platform's own text for its 120 s fallback; the docs give none.
    public const string DeviceTimeout = "Device Timeout";

    public const int TimeoutFloorStatus = 47;

    /// <summary>What a slot broken this way reports when a command tries it.</summary>
    public static string ForFloorStatus(int floorStatus) => floorStatus switch
    {
        0 => "Slot Invalid",
        2 => GoodsAreStuck,
        47 => "Slave Comm Error",
        _ => "VerMo break",
    };

    public static int DefaultFloorStatus(string reason) => reason switch
    {
        GoodsAreStuck => 2,
        "Slot Invalid" => 0,
        "Slave Comm Error" => 47,
        _ => 3,
    };
}
