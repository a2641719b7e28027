using Merchant.Testing;
using Vending.Platform.Simulator;

namespace Merchant.Reliability.Tests.Infrastructure;

/// <summary>
/// A database, the simulator, a <see cref="TcpGate"/> between the API and the simulator (so the platform can refuse
/// connections without losing its state), and the API in this process. One per test class.
/// </summary>
public sealed class Rig : IAsyncDisposable
{
    private Rig(SimulatorHost simulator, TcpGate gate, string connectionString, ApiHost api)
    {
        Simulator = simulator;
        Gate = gate;
        ConnectionString = connectionString;
        Api = api;
        Shop = new Shop(api.Client(HostSettings.StorefrontKey), api.Client(HostSettings.OpsKey));
    }

    public SimulatorHost Simulator { get; }

    public TcpGate Gate { get; }

    public string ConnectionString { get; }

    public ApiHost Api { get; }

    public Shop Shop { get; }

    /// <summary>The payment provider's own books the checker reads; the sandbox's tables unless a test pays through WeChat Pay.</summary>
    public IProviderBooks? ProviderBooks { get; set; }

    public static async Task<Rig> StartAsync(IDictionary<string, string?>? overrides = null, Action<SimulatorOptions>? simulator = null,
        string databasePrefix = "reliability")
    {
        var database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync(databasePrefix);
        var sim = await SimulatorHost.StartAsync(simulator);
        var gate = TcpGate.Start(sim.BaseUrl);
        var api = new ApiHost(HostSettings.For(database, gate.BaseUrl, overrides));
        api.StartServer();
        return new Rig(sim, gate, database, api);
    }

    public InvariantChecker Checker(TimeSpan? settleBudget = null, TimeSpan? refundConfirmDeadline = null) =>
        new(ConnectionString, Simulator.Control)
        {
            SettleBudget = settleBudget ?? TimeSpan.FromSeconds(60),
            RefundConfirmDeadline = refundConfirmDeadline ?? TimeSpan.FromHours(24),
            Books = ProviderBooks ?? new SandboxBooks(ConnectionString),
        };

    /// <summary>
    /// The test's load has ended: waits for the run to settle (no longer than the end of the load + settle budget + grace),
    /// checks every invariant, records the figures, fails on any violation.
    /// </summary>
    public Task<CheckReport> VerifyAsync(string test, TimeSpan? settleBudget = null) => VerifyAsync(Checker(settleBudget), test);

    public static async Task<CheckReport> VerifyAsync(InvariantChecker checker, string test, DateTimeOffset? loadEnded = null)
    {
        var report = await checker.SettleAndCheckAsync(loadEnded ?? DateTimeOffset.UtcNow);
        Figures.Checked(test, checker.Database, report);
        report.ShouldHoldAll();
        return report;
    }

    public async ValueTask DisposeAsync()
    {
        Shop.Dispose();
        await Api.DisposeAsync();
        await Gate.DisposeAsync();
        await Simulator.DisposeAsync();
    }
}
