using Merchant.Api.Auth;
using Merchant.Api.Errors;
using Merchant.Api.Hosting;
using Merchant.Api.Jobs;
using Merchant.Api.Persistence;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Merchant.Api.Payments.Sandbox;

/// <summary>Plays the customer paying, when the sandbox is the payment provider.</summary>
[ApiController]
[Route("api/v1/sandbox/trades")]
[Authorize(Policy = ApiKeyServiceCollectionExtensions.StorefrontPolicy)]
[Tags("Sandbox")]
public sealed class SandboxController(PaymentProviders providers, MerchantDbContext db, TimeProvider clock) : ControllerBase
{
    /// <summary>Pay (or fail to pay) a trade through the sandbox provider.</summary>
    /// <remarks>The sandbox then posts a signed notification to <c>/api/v1/payments/sandbox/notify</c>, as a real provider would.
    /// It accepts a payment even after the trade was cancelled or expired, so the late-payment refund can be tried.</remarks>
    [ProblemCodes(400, "validation_failed")]
    [ProblemCodes(404, "not_found")]
    [ProblemCodes(409, "no_payment", "already_paid")]
    [HttpPost("{trade_id}/pay")]
    [ProducesResponseType<SandboxPayResponse>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public async Task<ActionResult<SandboxPayResponse>> Pay([FromRoute(Name = "trade_id")] string tradeId, [FromBody] SandboxPayRequest? request, CancellationToken cancellationToken)
    {
        if (!providers.SandboxEnabled)
        {
            throw ApiProblem.NotFound("The sandbox provider");
        }

        var outcome = request?.Outcome ?? "success";
        if (outcome is not ("success" or "failed"))
        {
            throw ApiProblem.Validation("outcome must be \"success\" or \"failed\".");
        }

        var payment = await db.SandboxPayments.SingleOrDefaultAsync(p => p.TradeId == tradeId, cancellationToken);
        if (payment is null)
        {
            var exists = await db.Trades.AnyAsync(t => t.TradeId == tradeId, cancellationToken);
            throw exists
                ? new ApiProblem(StatusCodes.Status409Conflict, "no_payment", "This trade has no payment to pay.")
                : ApiProblem.NotFound($"Trade {tradeId}");
        }

        if (payment.Status == "paid")
        {
            throw new ApiProblem(StatusCodes.Status409Conflict, "already_paid", "This trade was already paid.");
        }

        var now = clock.GetUtcNow();
        var status = outcome == "success" ? "paid" : "failed";
        payment.Status = status;
        payment.UpdatedAt = now;
        var notification = new SandboxNotification(payment.PaymentId, tradeId, outcome == "success" ? "succeeded" : "failed", payment.AmountFen);
        db.Enqueue(JobKinds.SandboxNotify, now, TimeSpan.FromHours(1), tradeId,
            payload: System.Text.Json.JsonSerializer.Serialize(notification, WireJson.Options));
        await db.SaveChangesAsync(cancellationToken);
        return Accepted(new SandboxPayResponse(tradeId, payment.PaymentId, outcome));
    }
}

public sealed record SandboxPayRequest(string? Outcome);

public sealed record SandboxPayResponse(string TradeId, string PaymentId, string Outcome);
