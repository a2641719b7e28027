namespace Vending.Platform.Simulator.State;

/// <summary>Fires due device results, timeouts and order expiries against the sim clock.</summary>
internal sealed class DeviceLoop(SimulatorState state) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                state.Tick();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host is stopping.
        }
    }
}
