using Microsoft.AspNetCore.Mvc;
using WeChatPay.Simulator.Books;
using WeChatPay.Simulator.Customer;
using WeChatPay.Simulator.Faults;

namespace WeChatPay.Simulator.Control;

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

        sim.MapGet("/keys", (ControlService c) => c.Keys());
        sim.MapPost("/certificates", (RotateRequest? body, ControlService c) => c.RotateCertificate(body ?? new RotateRequest(null, null)));
        sim.MapDelete("/certificates/{serial}", (string serial, ControlService c) => c.RetireCertificate(serial));
        sim.MapGet("/merchant", (ControlService c) => c.Merchant());
        sim.MapPut("/merchant", (MerchantRequest body, ControlService c) => c.UpdateMerchant(body));
        sim.MapGet("/settings", (ControlService c) => c.Settings());
        sim.MapPut("/settings", (SettingsRequest body, ControlService c) => c.UpdateSettings(body));
        sim.MapGet("/clock", (ControlService c) => c.Clock());
        sim.MapPost("/clock", (ClockRequest body, ControlService c) => c.MoveClock(body));

        sim.MapGet("/transactions/{out_trade_no}", ([FromRoute(Name = "out_trade_no")] string outTradeNo, ControlService c) =>
            c.Transaction(outTradeNo));
        sim.MapPost("/transactions/{out_trade_no}/pay", ([FromRoute(Name = "out_trade_no")] string outTradeNo, PayRequest? body, CustomerService c) =>
            c.Pay(outTradeNo, body ?? new PayRequest(null, null, null)));
        sim.MapPost("/transactions/{out_trade_no}/fail", ([FromRoute(Name = "out_trade_no")] string outTradeNo, FailRequest? body, CustomerService c) =>
            c.Fail(outTradeNo, body ?? new FailRequest(null, null)));
        sim.MapGet("/refunds/{out_refund_no}", ([FromRoute(Name = "out_refund_no")] string outRefundNo, ControlService c) =>
            c.Refund(outRefundNo));
        sim.MapPost("/refunds/{out_refund_no}/settle", ([FromRoute(Name = "out_refund_no")] string outRefundNo, SettleRequest body, ControlService c) =>
            c.SettleRefund(outRefundNo, body));

        sim.MapGet("/books", (BooksService b) => b.All());
        sim.MapGet("/books/{out_trade_no}", ([FromRoute(Name = "out_trade_no")] string outTradeNo, BooksService b) => b.Trade(outTradeNo));

        sim.MapGet("/notifications", (
            [FromQuery(Name = "out_trade_no")] string? outTradeNo, [FromQuery(Name = "event_type")] string? eventType, ControlService c) =>
            c.Notifications(outTradeNo, eventType));
        sim.MapPost("/probes", (ProbeRequest body, ControlService c, HttpContext http) => c.ProbeAsync(body, http.RequestAborted));
        sim.MapGet("/probes", (ControlService c) => c.Probes());
        sim.MapGet("/requests", ([FromQuery(Name = "endpoint")] string? endpoint, ControlService c) => c.Requests(endpoint));

        sim.MapPost("/endpoint-faults", (EndpointFaultRequest body, FaultControl f) => f.AddEndpointFault(body));
        sim.MapPost("/notification-faults", (NotificationFaultRequest body, FaultControl f) => f.AddNotificationFault(body));
        sim.MapPost("/refund-outcomes", (RefundOutcomeRequest body, FaultControl f) => f.AddRefundOutcome(body));
        sim.MapGet("/faults", (FaultControl f) => f.Faults());
        sim.MapDelete("/faults", ([FromQuery(Name = "out_trade_no")] string? outTradeNo, FaultControl f) => f.Clear(outTradeNo));
    }
}
