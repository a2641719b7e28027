using Merchant.Api.Hosting;
using System.Text;
using Merchant.Api.Errors;
using Microsoft.AspNetCore.Mvc;

namespace Merchant.Api.Payments;

/// <summary>Payment providers report here; each notification authenticates itself with the provider's signature.</summary>
[ApiController]
[Route("api/v1/payments")]
[Tags("Callbacks")]
public sealed class PaymentsController(PaymentProviders providers, PaymentService payments) : ControllerBase
{
    private const int MaxBodyBytes = 64 * 1024;

    /// <summary>Payment notification from a provider (signed).</summary>
    [ProblemCodes(401, "invalid_signature")]
    [ProblemCodes(404, "not_found")]
    [HttpPost("{provider}/notify")]
    [RequestSizeLimit(MaxBodyBytes)]
    [ProducesResponseType<NotificationReceipt>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status401Unauthorized)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public async Task<ActionResult<NotificationReceipt>> Notify(string provider, CancellationToken cancellationToken)
    {
        var provided = providers.Get(provider) ?? throw ApiProblem.NotFound($"Payment provider '{provider}'");
        using var reader = new StreamReader(Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(cancellationToken);
        var notification = provided.ReadNotification(body, Request.Headers)
            ?? throw new ApiProblem(StatusCodes.Status401Unauthorized, "invalid_signature", "The notification's signature does not verify.");
        if (!await payments.ApplyAsync(provided.Name, notification, cancellationToken))
        {
            throw ApiProblem.NotFound($"Trade {notification.TradeId}");
        }

        return new NotificationReceipt(true);
    }
}

public sealed record NotificationReceipt(bool Received);
