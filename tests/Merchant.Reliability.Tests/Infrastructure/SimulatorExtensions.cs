using System.Net.Http.Json;
using Merchant.Testing;
using Vending.Platform.Simulator.Control;

namespace Merchant.Reliability.Tests.Infrastructure;

public static class SimulatorExtensions
{
    /// <summary>Waits (bounded) until the machine's command log holds at least <paramref name="count"/> commands.</summary>
    public static async Task<CommandLogView> WaitForCommandsAsync(this SimulatorHost simulator, string machineNo, int count, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var log = await simulator.CommandsAsync(machineNo);
            if (log.Commands.Count >= count)
            {
                return log;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Machine {machineNo} has {log.Commands.Count} command(s), not {count}, after {within}.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Waits (bounded) until the simulator has posted (or dropped) at least <paramref name="count"/> callbacks for the machine.</summary>
    public static async Task WaitForCallbacksAsync(this SimulatorHost simulator, string machineNo, int count, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while ((await simulator.CallbacksAsync(machineNo)).Count(c => !c.Pending) < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Machine {machineNo}: fewer than {count} callbacks after {within}.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The platform orders carrying our trade id (an orphan of an ambiguous create-order shows up here).</summary>
    public static async Task<IReadOnlyList<OrderView>> OrdersOfTradeAsync(this SimulatorHost simulator, string tradeId) =>
        (await simulator.Control.GetFromJsonAsync<List<OrderView>>($"/_sim/orders?trade_id={tradeId}", SimulatorHost.Json))!;

    /// <summary>How long the machine's device takes to report a result (real time).</summary>
    public static async Task SetResultDelayAsync(this SimulatorHost simulator, string machineNo, int milliseconds)
    {
        using var response = await simulator.Control.PutAsJsonAsync($"/_sim/machines/{machineNo}",
            new UpdateMachineRequest(null, null, null, milliseconds, null), SimulatorHost.Json);
        response.EnsureSuccessStatusCode();
    }

    public static async Task<IReadOnlyList<OrderView>> OrdersAsync(this SimulatorHost simulator, string machineNo) =>
        (await simulator.Control.GetFromJsonAsync<List<OrderView>>($"/_sim/orders?machine_no={machineNo}", SimulatorHost.Json))!;
}

public static class Eventually
{
    /// <summary>Waits (bounded) until <paramref name="condition"/> holds; throws with <paramref name="what"/> otherwise.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not within {within}: {what}");
            }

            await Task.Delay(100);
        }
    }
}
