using Merchant.Api.Hosting;
using Merchant.Api.Auth;
using Merchant.Api.Idempotency;
using Merchant.Api.Trades;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Serilog;

namespace Merchant.Api.Pickups;

[ApiController]
[Route("api/v1/pickups")]
[Authorize(Policy = ApiKeyServiceCollectionExtensions.StorefrontPolicy)]
[Tags("Pickups")]
public sealed class PickupsController(PickupService pickups, IdempotencyService idempotency, IDiagnosticContext log) : ControllerBase
{
    /// <summary>Redeems a pickup code: the platform consumes it and the machine dispenses; answers a trade of kind <c>pickup</c>.</summary>
    /// <remarks>A code already used answers 409 <c>pickup_code_used</c> with <c>earlier_trade_id</c> when we know it. Requires <c>Idempotency-Key</c>.</remarks>
    [ProblemCodes(400, "validation_failed", "invalid_request", "idempotency_key_missing", "idempotency_key_invalid")]
    [ProblemCodes(409, "pickup_code_used", "machine_offline", "idempotency_request_in_flight")]
    [ProblemCodes(422, "pickup_code_invalid", "pickup_codes_not_enabled", "idempotency_key_reused")]
    [ProblemCodes(503, "platform_unavailable")]
    [HttpPost]
    [ProducesResponseType<TradeResponse>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable)]
    public Task<IActionResult> Redeem(
        [FromBody] PickupRequest request,
        [FromHeader(Name = IdempotencyService.HeaderName)] string? idempotencyKey,
        CancellationToken cancellationToken) =>
        idempotency.RunAsync(User.KeyId(), idempotencyKey, "POST /api/v1/pickups", request, StatusCodes.Status201Created,
            async () => log.SetTrade(await pickups.RedeemAsync(request, cancellationToken)), cancellationToken);
}
