using Merchant.Api.Checkouts;
using Merchant.Api.Ops;
using Merchant.Api.Pickups;
using Merchant.Api.Trades;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Serilog;

namespace Merchant.Api.Hosting;

/// <summary>
/// Puts the machine and trade a request concerns on its log line where the route does not carry them: the machine of a
/// checkout or pickup body (refusals included), and the trade of an answer (a checkout's trade id exists only once it is made).
/// </summary>
public sealed class RequestLogContext(IDiagnosticContext diagnostics) : IActionFilter, IResultFilter
{
    public void OnActionExecuting(ActionExecutingContext context)
    {
        foreach (var argument in context.ActionArguments.Values)
        {
            var machineNo = argument switch
            {
                CheckoutRequest checkout => checkout.MachineNo,
                PickupRequest pickup => pickup.MachineNo,
                _ => null,
            };
            // Client input: only a well-formed machine number goes on the line.
            if (machineNo is { Length: > 0 and <= 32 } && machineNo.All(char.IsAsciiDigit))
            {
                diagnostics.Set("MachineNo", machineNo);
            }
        }
    }

    public void OnActionExecuted(ActionExecutedContext context)
    {
    }

    public void OnResultExecuting(ResultExecutingContext context)
    {
        var trade = (context.Result as ObjectResult)?.Value switch
        {
            TradeResponse answer => answer,
            TradeDetail detail => detail.Trade,
            _ => null,
        };
        if (trade is not null)
        {
            diagnostics.SetTrade(trade);
        }
    }

    public void OnResultExecuted(ResultExecutedContext context)
    {
    }
}

public static class DiagnosticContextExtensions
{
    /// <summary>For answers the filter cannot read (a checkout's is stored for Idempotency-Key replays and sent as text).</summary>
    public static TradeResponse SetTrade(this IDiagnosticContext diagnostics, TradeResponse trade)
    {
        diagnostics.Set("TradeId", trade.TradeId);
        diagnostics.Set("MachineNo", trade.MachineNo);
        return trade;
    }
}
