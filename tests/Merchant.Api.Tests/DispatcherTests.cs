using Merchant.Api.Dispensing;
using Microsoft.Extensions.DependencyInjection;

namespace Merchant.Api.Tests;

/// <summary>
/// The one-statement look a trade's last result takes before spending a dispatch (decision 0026). When it says "nothing",
/// the next trade on the machine waits for the maintenance sweep instead of starting at once, which no end-to-end test
/// sees (the sweep rescues it within seconds), so the statement is checked against rows here.
/// </summary>
public sealed class DispatcherTests : StackWithDatabase
{
    [Fact]
    public async Task Anything_waiting_sees_paid_lines_and_queued_test_dispenses_of_its_own_machine_only()
    {
        var now = DateTimeOffset.UtcNow;
        var (machine, other, tested) = (History.NewMachine(), History.NewMachine(), History.NewMachine());
        // Each machine has a command running, so the maintenance sweep (which dispatches idle machines) leaves them be.
        foreach (var busy in new[] { machine, other, tested })
        {
            await History.TradeAsync(Db, busy, now, status: "dispensing", lineStatus: "dispensing");
        }

        (await WaitingAsync(machine)).ShouldBeFalse();

        await History.TradeAsync(Db, machine, now, status: "awaiting_payment", lineStatus: "pending");
        await History.TradeAsync(Db, machine, now, status: "completed", lineStatus: "dispensed");
        await History.TradeAsync(Db, other, now, status: "dispensing", lineStatus: "pending");
        (await WaitingAsync(machine)).ShouldBeFalse();

        await History.TradeAsync(Db, machine, now, status: "dispensing", lineStatus: "pending");
        (await WaitingAsync(machine)).ShouldBeTrue();

        (await WaitingAsync(tested)).ShouldBeFalse();
        await History.ExecuteAsync(Db, """
            INSERT INTO test_dispenses (machine_no, slot, product_id, status, requested_at, cleared_fault)
            VALUES ($1, 'A1', 1, 'queued', $2, false)
            """, tested, now);
        (await WaitingAsync(tested)).ShouldBeTrue();
    }

    private async Task<bool> WaitingAsync(string machineNo)
    {
        using var scope = Host.Api.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<Dispatcher>().AnythingWaitingAsync(machineNo, CancellationToken.None);
    }
}
