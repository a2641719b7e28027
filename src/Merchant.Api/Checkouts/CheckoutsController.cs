using Merchant.Api.Auth;
using Merchant.Api.Idempotency;
using Merchant.Api.Trades;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Merchant.Api.Checkouts;

[ApiController]
[Route("api/v1/checkouts")]
[Authorize(Policy = ApiKeyServiceCollectionExtensions.StorefrontPolicy)]
[Tags("Checkout")]
public sealed class CheckoutsController(CheckoutService checkouts, IdempotencyService idempotency) : ControllerBase
{
    /// <summary>Starts a purchase: creates the platform order and the payment; answers the trade with its amount and pay_before.</summary>
    /// <remarks>Requires <c>Idempotency-Key</c>: the same key and body replay the first answer; another body is 422; a request still running is 409.</remarks>
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
            async () => await checkouts.CheckoutAsync(request, cancellationToken), cancellationToken);
}
