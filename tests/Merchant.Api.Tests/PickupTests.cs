using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Merchant.Api.Trades;
using Microsoft.Extensions.DependencyInjection;
using Vending.Platform;

namespace Merchant.Api.Tests;

public sealed class PickupTests : IAsyncLifetime
{
    private Stack _stack = null!;

    public async Task InitializeAsync() => _stack = await Stack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task A_pickup_code_is_consumed_and_dispensed_and_a_reused_code_is_a_clear_conflict()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1, pickupCodes: true);
        var product = machine.Products[0].ProductId;
        var code = (await Platform().GeneratePickupCodesAsync(new GeneratePickupCodesRequest(machine.MachineNo, product))).Single().Code;

        var first = await _stack.RedeemAsync(machine.MachineNo, product, code);
        var trade = JsonSerializer.Deserialize<TradeResponse>(await first.Content.ReadAsStringAsync(), Stack.Json)!;
        var done = await _stack.WaitForAsync(trade.TradeId, TimeSpan.FromSeconds(30), "completed");
        var again = await _stack.RedeemAsync(machine.MachineNo, product, code);
        var problem = await again.Content.ReadFromJsonAsync<JsonElement>();

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        trade.Kind.ShouldBe("pickup");
        done.Lines.ShouldHaveSingleItem().Status.ShouldBe("dispensed");
        done.Payment.ShouldBeNull();
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        problem.GetProperty("code").GetString().ShouldBe("pickup_code_used");
        problem.GetProperty("earlier_trade_id").GetString().ShouldBe(trade.TradeId);
        (await _stack.Simulator.CommandsAsync(machine.MachineNo)).Commands.Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_failed_pickup_dispense_needs_attention_and_is_never_refunded()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1, pickupCodes: true);
        var product = machine.Products[0].ProductId;
        var code = (await Platform().GeneratePickupCodesAsync(new GeneratePickupCodesRequest(machine.MachineNo, product))).Single().Code;
        await _stack.Simulator.FailNextDispensesAsync(machine.MachineNo, 1, reason: "Slot Invalid");

        var response = await _stack.RedeemAsync(machine.MachineNo, product, code);
        var trade = JsonSerializer.Deserialize<TradeResponse>(await response.Content.ReadAsStringAsync(), Stack.Json)!;
        var settled = await _stack.WaitForAsync(trade.TradeId, TimeSpan.FromSeconds(30), "needs_attention");
        var refund = await _stack.Api.Ops.PostAsync($"/api/v1/ops/trades/{trade.TradeId}/lines/1/refund", null);

        settled.Lines.Single().Status.ShouldBe("needs_attention");
        settled.Lines.Single().FailureReason.ShouldBe("Slot Invalid");
        settled.RefundedAmount.ShouldBe("0.00");
        refund.StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_code_for_a_machine_without_pickup_codes_is_refused()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);

        var response = await _stack.RedeemAsync(machine.MachineNo, machine.Products[0].ProductId, "123456");

        ((int)response.StatusCode).ShouldBeInRange(400, 499);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()
            .ShouldBeOneOf("pickup_code_invalid", "pickup_codes_not_enabled");
    }

    private IPlatformApi Platform() => _stack.Api.Services.GetRequiredService<IPlatformApi>();
}
