using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Merchant.Api.Fleet;
using Merchant.Api.Trades;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Serilog.Core;
using Serilog.Events;

namespace Merchant.Api.Tests;

/// <summary>Issue 13: restock within capacity, pickup codes shown once and kept only as a hash, replacement codes.</summary>
public sealed class FleetOpsTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(40);
    private readonly LogText _logs = new();
    private Stack _stack = null!;

    public async Task InitializeAsync() => _stack = await Stack.StartAsync(
        new Dictionary<string, string?>
        {
            ["Serilog:MinimumLevel:Default"] = "Debug",
            ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Debug",
            ["Serilog:MinimumLevel:Override:System.Net.Http.HttpClient"] = "Debug",
        },
        services: services => services.AddSingleton<ILogEventSink>(_logs));

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Restock_above_a_slots_capacity_is_refused_and_within_it_sets_the_stock_the_storefront_sees()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 2, stock: 3);
        var product = machine.Products[0];

        var over = await RestockAsync(machine.MachineNo, new { product_id = product.ProductId, stock = product.Capacity + 1 });
        var missingStock = await RestockAsync(machine.MachineNo, new { category_id = 1 });
        var key = Guid.NewGuid().ToString("N");
        var done = await RestockAsync(machine.MachineNo, new { product_id = product.ProductId, stock = 9 }, key);
        var replay = await RestockAsync(machine.MachineNo, new { product_id = product.ProductId, stock = 9 }, key);
        var whole = await RestockAsync(machine.MachineNo, new { all = true });
        var simulated = await _stack.Simulator.MachineAsync(machine.MachineNo);

        over.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var problem = await over.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("code").GetString().ShouldBe("over_capacity");
        problem.GetProperty("slots")[0].GetProperty("capacity").GetInt32().ShouldBe(product.Capacity);
        missingStock.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        done.StatusCode.ShouldBe(HttpStatusCode.OK);
        var result = (await done.Content.ReadFromJsonAsync<RestockResult>(Stack.Json))!;
        result.Slots.ShouldHaveSingleItem().Stock.ShouldBe(9);
        (await replay.Content.ReadAsStringAsync()).ShouldBe(await done.Content.ReadAsStringAsync());
        whole.StatusCode.ShouldBe(HttpStatusCode.OK);
        simulated.Products.ShouldAllBe(p => p.Stock == p.Capacity);
    }

    [Fact]
    public async Task Pickup_codes_are_generated_once_per_key_listed_by_last_digits_cancelled_and_never_redeemed_twice()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1, pickupCodes: true);
        var product = machine.Products[0].ProductId;
        var key = Guid.NewGuid().ToString("N");

        var first = await GenerateAsync(machine.MachineNo, new { product_id = product, count = 2, length = 8 }, key);
        var again = await GenerateAsync(machine.MachineNo, new { product_id = product, count = 2, length = 8 }, key);
        var shown = (await first.Content.ReadFromJsonAsync<GeneratedCodes>(Stack.Json))!;
        var replayed = (await again.Content.ReadFromJsonAsync<GeneratedCodes>(Stack.Json))!;
        var listed = await ListAsync(machine.MachineNo, product);
        var redeemed = await _stack.RedeemAsync(machine.MachineNo, product, shown.Codes[0].Code!);
        var trade = (await redeemed.Content.ReadFromJsonAsync<TradeResponse>(Stack.Json))!;
        await _stack.WaitForAsync(trade.TradeId, Within, "completed");
        var reused = await _stack.RedeemAsync(machine.MachineNo, product, shown.Codes[0].Code!);
        var cancel = await _stack.Api.Ops.PostAsJsonAsync($"/api/v1/ops/machines/{machine.MachineNo}/pickup_codes/cancel",
            new { pickup_code_id = shown.Codes[1].PickupCodeId });
        var cancelledRedeemed = await _stack.RedeemAsync(machine.MachineNo, product, shown.Codes[1].Code!);
        var cancelAgain = await _stack.Api.Ops.PostAsJsonAsync($"/api/v1/ops/machines/{machine.MachineNo}/pickup_codes/cancel",
            new { pickup_code_id = shown.Codes[1].PickupCodeId });

        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        shown.CodesShown.ShouldBeTrue();
        shown.Codes.Count.ShouldBe(2);
        shown.Codes.ShouldAllBe(c => c.Code!.Length == 8 && c.Code.EndsWith(c.CodeHint));
        again.StatusCode.ShouldBe(HttpStatusCode.Created);
        replayed.CodesShown.ShouldBeFalse();
        replayed.Codes.Select(c => c.PickupCodeId).ShouldBe(shown.Codes.Select(c => c.PickupCodeId));
        replayed.Codes.ShouldAllBe(c => c.Code == null);
        (await again.Content.ReadAsStringAsync()).ShouldNotContain(shown.Codes[0].Code!);
        listed.Select(c => c.PickupCodeId).Order().ShouldBe(shown.Codes.Select(c => c.PickupCodeId).Order(), "the same key generated twice");
        listed.ShouldAllBe(c => c.IssuedByUs && c.Status == "unused");
        redeemed.StatusCode.ShouldBe(HttpStatusCode.Created);
        reused.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await reused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString().ShouldBe("pickup_code_used");
        cancel.StatusCode.ShouldBe(HttpStatusCode.OK);
        ((int)cancelledRedeemed.StatusCode).ShouldBe(422);
        cancelAgain.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ListAsync(machine.MachineNo, product)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_replacement_code_settles_a_failed_pickup_as_replaced_once_and_can_be_redeemed()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1, pickupCodes: true);
        var product = machine.Products[0].ProductId;
        var codes = (await (await GenerateAsync(machine.MachineNo, new { product_id = product, count = 1 })).Content.ReadFromJsonAsync<GeneratedCodes>(Stack.Json))!;
        await _stack.Simulator.FailNextDispensesAsync(machine.MachineNo, 1, reason: "Goods are Stuck");
        var failed = (await (await _stack.RedeemAsync(machine.MachineNo, product, codes.Codes[0].Code!)).Content.ReadFromJsonAsync<TradeResponse>(Stack.Json))!;
        await _stack.WaitForAsync(failed.TradeId, Within, "needs_attention");
        await _stack.Api.Ops.PostAsync($"/api/v1/ops/machines/{machine.MachineNo}/slots/{machine.Products[0].Channel.Name}/clear", null);

        var replacement = await _stack.Api.Ops.PostAsJsonAsync($"/api/v1/ops/trades/{failed.TradeId}/replacement_code", new { });
        var second = await _stack.Api.Ops.PostAsJsonAsync($"/api/v1/ops/trades/{failed.TradeId}/replacement_code", new { });
        var issued = (await replacement.Content.ReadFromJsonAsync<ReplacementCode>(Stack.Json))!;
        var redeemed = (await (await _stack.RedeemAsync(machine.MachineNo, product, issued.PickupCode.Code!)).Content.ReadFromJsonAsync<TradeResponse>(Stack.Json))!;
        var done = await _stack.WaitForAsync(redeemed.TradeId, Within, "completed");
        var detail = await _stack.DetailAsync(failed.TradeId);

        replacement.StatusCode.ShouldBe(HttpStatusCode.Created);
        issued.Trade.Status.ShouldBe("replaced");
        issued.PickupCode.ProductId.ShouldBe(product);
        second.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString().ShouldBe("invalid_transition");
        done.Lines.ShouldHaveSingleItem().Status.ShouldBe("dispensed");
        (await _stack.TradeAsync(failed.TradeId)).Status.ShouldBe("replaced");
        detail.Timeline.ShouldContain(e => e.Summary.Contains($"replacement pickup code {issued.PickupCode.PickupCodeId}"));
    }

    [Fact]
    public async Task Generated_codes_appear_in_no_log_and_no_table_only_their_hash_and_last_digits()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 2, pickupCodes: true);

        var response = await GenerateAsync(machine.MachineNo, new { count = 3, length = 10 });
        var codes = (await response.Content.ReadFromJsonAsync<GeneratedCodes>(Stack.Json))!.Codes;
        await ListAsync(machine.MachineNo, machine.Products[0].ProductId);
        await Task.Delay(500);
        var tables = await DumpAsync("pickup_codes", "idempotency_keys", "trade_events", "jobs", "platform_callbacks");

        codes.Count.ShouldBe(6);
        codes.Select(c => c.ProductId).Distinct().Count().ShouldBe(2);
        _logs.Text.ShouldContain(machine.MachineNo);
        foreach (var code in codes.Select(c => c.Code!))
        {
            _logs.Text.ShouldNotContain(code);
            tables.ShouldNotContain(code);
        }

        tables.ShouldContain(codes[0].CodeHint);
    }

    private async Task<HttpResponseMessage> RestockAsync(string machineNo, object body, string? key = null) =>
        await Stack.PostKeyedAsync(_stack.Api.Ops, $"/api/v1/ops/machines/{machineNo}/restock", body, key);

    private async Task<HttpResponseMessage> GenerateAsync(string machineNo, object body, string? key = null) =>
        await Stack.PostKeyedAsync(_stack.Api.Ops, $"/api/v1/ops/machines/{machineNo}/pickup_codes", body, key);

    private async Task<IReadOnlyList<PickupCodeView>> ListAsync(string machineNo, long productId) =>
        (await _stack.Api.Ops.GetFromJsonAsync<List<PickupCodeView>>($"/api/v1/ops/machines/{machineNo}/products/{productId}/pickup_codes", Stack.Json))!;

    private async Task<string> DumpAsync(params string[] tables)
    {
        await using var connection = new NpgsqlConnection(_stack.ConnectionString);
        await connection.OpenAsync();
        var text = new System.Text.StringBuilder();
        foreach (var table in tables)
        {
            await using var command = new NpgsqlCommand($"SELECT t::text FROM {table} t", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                text.AppendLine(reader.GetString(0));
            }
        }

        return text.ToString();
    }

    private sealed class LogText : ILogEventSink
    {
        private readonly ConcurrentQueue<LogEvent> _events = new();

        public string Text => string.Join("\n", _events.Select(e => e.RenderMessage() + " " + string.Join(" ", e.Properties.Select(p => $"{p.Key}={p.Value}"))
            + (e.Exception is null ? "" : " " + e.Exception)));

        public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);
    }
}
