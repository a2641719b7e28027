using Merchant.Api.Errors;
using Merchant.Api.Hosting;
using Microsoft.AspNetCore.Mvc;

namespace Merchant.Api.Payments;

/// <summary>Payment providers report here; each notification authenticates itself with the provider's signature.</summary>
[ApiController]
[Route("api/v1/payments")]
[Tags("Callbacks")]
public sealed partial class PaymentsController(PaymentProviders providers, PaymentService payments, ILogger<PaymentsController> logger) : ControllerBase
{
    private const int MaxBodyBytes = 64 * 1024;

    /// <summary>Payment notification from a provider (signed): stored, then applied once; 204 when stored, duplicates included.</summary>
    /// <remarks>A notification that does not verify (signature, timestamp, decryption) is refused with 401 and changes nothing;
    /// one we could not store is answered 500 <c>{"code":"FAIL"}</c> so the provider sends it again (WECHATPAY §3).</remarks>
    [ProblemCodes(401, "invalid_signature")]
    [ProblemCodes(404, "not_found")]
    [ProblemCodes(500, "FAIL")]
    [HttpPost("{provider}/notify")]
    [RequestSizeLimit(MaxBodyBytes)]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProviderFailure>(StatusCodes.Status500InternalServerError)]
    public async Task<IActionResult> Notify(string provider, CancellationToken cancellationToken)
    {
        var provided = providers.Get(provider) ?? throw ApiProblem.NotFound($"Payment provider '{provider}'");
        using var buffer = new MemoryStream();
        await Request.Body.CopyToAsync(buffer, cancellationToken);
        var body = buffer.ToArray();
        var reading = await provided.ReadNotificationAsync(body, Request.Headers, cancellationToken);
        if (reading.Notification is not { } notification)
        {
            LogRejected(logger, provided.Name, reading.Rejected ?? "unreadable");
            Telemetry.MerchantTelemetry.PaymentNotifications.Add(1, Telemetry.MerchantTelemetry.Tag("provider", provided.Name),
                Telemetry.MerchantTelemetry.Tag("outcome", "rejected"));
            throw new ApiProblem(StatusCodes.Status401Unauthorized, "invalid_signature", "The notification does not verify.");
        }

        try
        {
            await payments.ReceiveAsync(provided.Name, notification, System.Text.Encoding.UTF8.GetString(body), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The provider only reads the status: anything but 2xx makes it send the notification again later.
            LogNotStored(logger, e, provided.Name, notification.TradeId);
            return StatusCode(StatusCodes.Status500InternalServerError, new ProviderFailure("FAIL", "not stored; send it again"));
        }

        return NoContent();
    }

    [LoggerMessage(1, LogLevel.Warning, "{Provider} notification refused: {Reason}")]
    private static partial void LogRejected(ILogger logger, string provider, string reason);

    [LoggerMessage(2, LogLevel.Error, "{Provider} notification for trade {TradeId} could not be stored or applied")]
    private static partial void LogNotStored(ILogger logger, Exception exception, string provider, string tradeId);
}

/// <summary>The body a provider expects when we failed (WeChat Pay: <c>{"code":"FAIL","message":...}</c>).</summary>
public sealed record ProviderFailure(string Code, string Message);
