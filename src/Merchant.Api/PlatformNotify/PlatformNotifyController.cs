using Merchant.Api.Hosting;
using System.Text;
using Merchant.Api.Errors;
using Microsoft.AspNetCore.Mvc;

namespace Merchant.Api.PlatformNotify;

/// <summary>The notify_url the platform posts dispense results to; the path token authenticates it (DESIGN §4).</summary>
[ApiController]
[Route("api/v1/platform/notify")]
[Tags("Callbacks")]
public sealed class PlatformNotifyController(NotifyTokens tokens, CallbackService callbacks) : ControllerBase
{
    private const int MaxBodyBytes = 64 * 1024;

    /// <summary>Dispense-result callback from the platform. Stored raw, then applied; 200 once stored.</summary>
    /// <remarks>404 when the token is forged, or when the body speaks of an order this token's trade does not have
    /// (a token of another trade); such a callback is kept for audit and changes nothing.</remarks>
    [ProblemCodes(404, "not_found")]
    [HttpPost("{token}")]
    [RequestSizeLimit(MaxBodyBytes)]
    [ProducesResponseType(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public async Task<IActionResult> Notify(string token, CancellationToken cancellationToken)
    {
        var tradeId = tokens.TradeIdOf(token) ?? throw ApiProblem.NotFound("This notify URL");
        using var reader = new StreamReader(Request.Body, Encoding.UTF8);
        // PostgreSQL text cannot hold NUL; keep everything else exactly as sent.
        var body = (await reader.ReadToEndAsync(cancellationToken)).Replace('\0', '\uFFFD');
        // The platform does not wait long and does not retry: apply without its cancellation.
        var outcome = await callbacks.ReceiveAsync(tradeId, body, CancellationToken.None);
        return outcome is CallbackService.Mismatch or CallbackService.UnknownTrade
            ? throw ApiProblem.NotFound("This notify URL's trade has no such order")
            : Ok();
    }
}
