using Microsoft.AspNetCore.Mvc;

namespace Vending.Platform.Simulator.Control;

internal static class ControlEndpoints
{
    public static void MapControl(this IEndpointRouteBuilder routes)
    {
        var sim = routes.MapGroup("/_sim");
        sim.MapGet("/state", (ControlService c) => c.Summary());
        sim.MapPost("/reset", (ControlService c) =>
        {
            c.Reset();
            return Results.Ok(c.Summary());
        });
        sim.MapGet("/machines", (ControlService c) => c.Machines());
        sim.MapPost("/machines", (CreateMachineRequest body, ControlService c) => c.CreateMachine(body));
        sim.MapGet("/machines/{machineNo}", (string machineNo, ControlService c) => c.Machine(machineNo));
        sim.MapPut("/machines/{machineNo}", (string machineNo, UpdateMachineRequest body, ControlService c) =>
            c.UpdateMachine(machineNo, body));
        sim.MapPut("/machines/{machineNo}/banners", (string machineNo, [FromBody] List<BannerRequest>? body, ControlService c) =>
            c.SetBanners(machineNo, body));
        sim.MapPost("/machines/{machineNo}/dispense-faults", (string machineNo, DispenseFaultRequest body, ControlService c) =>
            c.AddDispenseFault(machineNo, body));
        sim.MapPut("/products/{productId:long}", (long productId, UpdateProductRequest body, ControlService c) =>
            c.UpdateProduct(productId, body));
        sim.MapPost("/callback-faults", (CallbackFaultRequest body, ControlService c) => c.AddCallbackFault(body));
        sim.MapPost("/endpoint-faults", (EndpointFaultRequest body, ControlService c) => c.AddEndpointFault(body));
        sim.MapGet("/faults", (ControlService c) => c.Faults());
        sim.MapDelete("/faults", ([FromQuery(Name = "machine_no")] string? machineNo, ControlService c) =>
        {
            c.ClearFaults(machineNo);
            return Results.Ok(c.Faults());
        });
        sim.MapGet("/clock", (ControlService c) => c.Clock());
        sim.MapPost("/clock", (ClockRequest body, ControlService c) => c.MoveClock(body));
        sim.MapGet("/settings", (ControlService c) => c.Settings());
        sim.MapPut("/settings", (SettingsRequest body, ControlService c) => c.UpdateSettings(body));
        sim.MapGet("/commands", (
            [FromQuery(Name = "machine_no")] string? machineNo, [FromQuery(Name = "order_id")] long? orderId, ControlService c) =>
            c.Commands(machineNo, orderId));
        sim.MapGet("/callbacks", (
            [FromQuery(Name = "machine_no")] string? machineNo, [FromQuery(Name = "order_id")] long? orderId, ControlService c) =>
            c.Callbacks(machineNo, orderId));
        sim.MapGet("/orders", (
            [FromQuery(Name = "machine_no")] string? machineNo, [FromQuery(Name = "trade_id")] string? tradeId, ControlService c) =>
            c.Orders(machineNo, tradeId));
        sim.MapGet("/orders/{orderId:long}", (long orderId, ControlService c) => c.Order(orderId));
        sim.MapGet("/requests", (ControlService c) => c.Requests());
        sim.MapPost("/sign", (SignRequest body, ControlService c) => c.Sign(body));
    }
}
