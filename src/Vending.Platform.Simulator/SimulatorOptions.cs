namespace Vending.Platform.Simulator;

/// <summary>Simulator settings, bound from the <c>Simulator</c> configuration section.</summary>
public sealed class SimulatorOptions
{
    public const string SectionName = "Simulator";

    public string AppId { get; set; } = "demo-app";

    public string AppSecret { get; set; } = "demo-secret";

    public string AppKey { get; set; } = "kva";

    /// <summary>Simulated seconds per real second.</summary>
    public double ClockSpeed { get; set; } = 1.0;

    /// <summary>Sim time from a dispense command to the device's result.</summary>
    public TimeSpan ResultDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Sim time after which the platform marks a silent dispense as timed out.</summary>
    public TimeSpan DeviceTimeout { get; set; } = TimeSpan.FromSeconds(120);

    public TimeSpan UnpaidOrderLifetime { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>When set, a paid order older than this (since creation) is refused for dispensing with 40005.</summary>
    public TimeSpan? PaidOrderDispenseWindow { get; set; }

    public bool Seed { get; set; } = true;

    /// <summary>
    /// Added to the first order, record and delivery ids. The simulator keeps no state across restarts while a local
    /// run's database does: run.sh sets a base from the clock so a restarted simulator does not hand out order ids the
    /// database already holds for other trades.
    /// </summary>
    public long IdBase { get; set; }

    internal SimulatorOptions Clone() => (SimulatorOptions)MemberwiseClone();
}
