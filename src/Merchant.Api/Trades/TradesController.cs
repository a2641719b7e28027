using Merchant.Api.Hosting;
using Merchant.Api.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Merchant.Api.Trades;

[ApiController]
[Route("api/v1/trades")]
[Authorize(Policy = ApiKeyServiceCollectionExtensions.StorefrontPolicy)]
[Tags("Trades")]
public sealed class TradesController(TradeService trades) : ControllerBase
{
    /// <summary>A trade with its lines, payment and refunds so far.</summary>
    [ProblemCodes(404, "not_found")]
    [HttpGet("{trade_id}")]
    [ProducesResponseType<TradeResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public async Task<ActionResult<TradeResponse>> Get([FromRoute(Name = "trade_id")] string tradeId, CancellationToken cancellationToken) =>
        await trades.GetAsync(tradeId, cancellationToken);

    /// <summary>Cancels a trade that is not paid yet; 409 <c>invalid_transition</c> once it is.</summary>
    [ProblemCodes(404, "not_found")]
    [ProblemCodes(409, "invalid_transition", "concurrent_update")]
    [HttpPost("{trade_id}/cancel")]
    [ProducesResponseType<TradeResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public async Task<ActionResult<TradeResponse>> Cancel([FromRoute(Name = "trade_id")] string tradeId, CancellationToken cancellationToken) =>
        await trades.CancelAsync(tradeId, Actors.Storefront, cancellationToken);
}
