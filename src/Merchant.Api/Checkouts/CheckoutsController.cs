using Merchant.Api.Hosting;
using Merchant.Api.Auth;
using Merchant.Api.Idempotency;
using Merchant.Api.Trades;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Serilog;

namespace Merchant.Api.Checkouts;

[ApiController]
[Route("api/v1/checkouts")]
[Authorize(Policy = ApiKeyServiceCollectionExtensions.StorefrontPolicy)]
[Tags("Checkout")]
public sealed class CheckoutsController(CheckoutService checkouts, IdempotencyService idempotency, IDiagnosticContext log) : ControllerBase
{
    /// <summary>Starts a purchase: creates the platform order and the payment; answers the trade with its amount and pay_before.</summary>
    /// <remarks>Requires <c>Idempotency-Key</c>: the same key and body replay the first answer; another body is 422; a request still running is 409.</remarks>
    [ProblemCodes(400, "validation_failed", "invalid_request", "idempotency_key_missing", "idempotency_key_invalid")]
    [ProblemCodes(404, "machine_not_found")]
    [ProblemCodes(409, "insufficient_stock", "machine_offline", "slot_fault", "idempotency_request_in_flight")]
    [ProblemCodes(422, "product_not_found", "product_off_sale", "idempotency_key_reused")]
    [ProblemCodes(503, "platform_unavailable")]
    [HttpPost]
    [ProducesResponseType<TradeResponse>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable)]
    public Task<IActionResult> Create(
        [FromBody] CheckoutRequest request,
        [FromHeader(Name = IdempotencyService.HeaderName)] string? idempotencyKey,
        CancellationToken cancellationToken) =>
        idempotency.RunAsync(User.KeyId(), idempotencyKey, "POST /api/v1/checkouts", request, StatusCodes.Status201Created,
            async claim => log.SetTrade(await checkouts.CheckoutAsync(request, claim, cancellationToken)), cancellationToken);
}
