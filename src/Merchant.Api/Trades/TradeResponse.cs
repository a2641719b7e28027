using System.Text.Json;
using Merchant.Api.Hosting;
using Merchant.Api.Payments;
using Merchant.Domain;

namespace Merchant.Api.Trades;

/// <summary>The trade object of API.md.</summary>
public sealed record TradeResponse(
    string TradeId,
    string Kind,
    string MachineNo,
    string Status,
    string Amount,
    string RefundedAmount,
    string Currency,
    long? PlatformOrderId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? PayBefore,
    PaymentView? Payment,
    IReadOnlyList<LineView> Lines)
{
    public string? StatusReason { get; init; }

    public string? CustomerRef { get; init; }
}

public sealed record PaymentView(string Provider, string Status, string PaymentId)
{
    /// <summary>What the storefront shows the customer while the trade awaits payment (API.md <c>payment.action</c>).</summary>
    public PaymentAction? Action { get; init; }
}

public sealed record LineView(int LineId, long ProductId, string Name, string Price, string Status)
{
    public int? Quantity { get; init; }

    public string? FailureReason { get; init; }
}

public static class TradeMapping
{
    public static TradeResponse ToResponse(this Trade trade, Payment? payment) =>
        new(
            trade.TradeId,
            trade.Kind.ToWire(),
            trade.MachineNo,
            trade.Status.ToWire(),
            Money.ToWire(trade.AmountFen),
            Money.ToWire(trade.RefundedFen),
            trade.Currency,
            trade.PlatformOrderId,
            trade.CreatedAt,
            trade.PayBefore,
            payment is null ? null : new PaymentView(payment.Provider, payment.Status, payment.ProviderPaymentId)
            {
                Action = trade.Status == TradeStatus.AwaitingPayment && payment.Status is Payment.Pending or Payment.Failed && payment.Action is { } action
                    ? JsonSerializer.Deserialize<PaymentAction>(action, WireJson.Options)
                    : null,
            },
            [.. trade.Lines.OrderBy(l => l.LineId).Select(ToView)])
        {
            StatusReason = trade.StatusReason,
            CustomerRef = trade.CustomerRef,
        };

    private static LineView ToView(TradeLine line) =>
        new(line.LineId, line.ProductId, line.Name, Money.ToWire(line.PriceFen), line.Status.ToWire())
        {
            // Only worth saying when the platform merged items into one record.
            Quantity = line.Quantity == 1 ? null : line.Quantity,
            FailureReason = line.FailureReason,
        };
}
