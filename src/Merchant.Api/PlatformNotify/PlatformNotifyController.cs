using Merchant.Api.Hosting;
using System.Text;
using Merchant.Api.Errors;
using Microsoft.AspNetCore.Mvc;

namespace Merchant.Api.PlatformNotify;

/// <summary>The notify_url the platform posts dispense results to; the path token authenticates it (DESIGN §4).</summary>
[ApiController]
[Route("api/v1/platform/notify")]
[Tags("Callbacks")]
public sealed partial class PlatformNotifyController(
    NotifyTokens tokens, CallbackService callbacks, ILogger<PlatformNotifyController> logger) : ControllerBase
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
        var callbackId = await callbacks.StoreAsync(tradeId, body, cancellationToken);
        string outcome;
        try
        {
            outcome = await callbacks.ApplyAsync(callbackId, CancellationToken.None);
        }
        catch (Exception e)
        {
            // Stored is enough to answer: the sweeper applies it later, and the platform does not retry anyway.
            LogApplyFailed(logger, tradeId, callbackId, e);
            return Ok();
        }

        return outcome is CallbackService.Mismatch or CallbackService.UnknownTrade
            ? throw ApiProblem.NotFound("This notify URL's trade has no such order")
            : Ok();
    }

    [LoggerMessage(1, LogLevel.Warning, "Trade {TradeId}: callback {CallbackId} stored but not applied yet")]
    private static partial void LogApplyFailed(ILogger logger, string tradeId, long callbackId, Exception exception);
}
