using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Merchant.Api.Hosting;
using Merchant.Api.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Merchant.Api.Payments.Sandbox;

/// <summary>
/// A payment provider that lives in our database: it takes payments the sandbox pay endpoint plays,
/// signs its notifications with HMAC-SHA256, and pays each refund key once.
/// </summary>
public sealed class SandboxProvider(MerchantDbContext db, TimeProvider clock, SandboxSigner signer) : IPaymentProvider
{
    public const string ProviderName = "sandbox";
    public const string SignatureHeader = "X-Sandbox-Signature";

    public string Name => ProviderName;

    public Task<ProviderPayment> CreateAsync(PaymentRequest request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var payment = new SandboxPayment
        {
            PaymentId = $"sbx_{request.TradeId}",
            TradeId = request.TradeId,
            AmountFen = request.AmountFen,
            Status = "open",
            CreatedAt = now,
            UpdatedAt = now,
        };
        // Saved with the caller's unit of work, like the trade it belongs to.
        db.SandboxPayments.Add(payment);
        return Task.FromResult(new ProviderPayment(payment.PaymentId));
    }

    public async Task CloseAsync(string paymentId, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlAsync(
            $"UPDATE sandbox_payments SET status = 'closed', updated_at = {clock.GetUtcNow()} WHERE payment_id = {paymentId} AND status = 'open'",
            cancellationToken);

    public async Task<ProviderRefund> RefundAsync(RefundRequest request, CancellationToken cancellationToken)
    {
        // One statement: the key's primary key makes a retried refund a no-op, and refunds never exceed the payment.
        var refundId = $"sbr_{Guid.NewGuid():N}";
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO sandbox_refunds (refund_key, payment_id, refund_id, amount_fen, created_at)
            SELECT {request.RefundKey}, p.payment_id, {refundId}, {request.AmountFen}, {clock.GetUtcNow()}
            FROM sandbox_payments p
            WHERE p.payment_id = {request.PaymentId} AND p.status = 'paid'
              AND (SELECT coalesce(sum(r.amount_fen), 0) FROM sandbox_refunds r WHERE r.payment_id = p.payment_id) + {request.AmountFen} <= p.amount_fen
            ON CONFLICT (refund_key) DO NOTHING
            """, cancellationToken);
        var paid = await db.SandboxRefunds.AsNoTracking()
            .Where(r => r.RefundKey == request.RefundKey)
            .Select(r => r.RefundId)
            .SingleOrDefaultAsync(cancellationToken);
        return paid is null
            ? throw new PaymentRefusedException($"Sandbox refused refund {request.RefundKey}: payment not paid or refunds would exceed it.")
            : new ProviderRefund(paid);
    }

    public PaymentNotification? ReadNotification(string body, IHeaderDictionary headers)
    {
        if (!signer.Verify(body, headers[SignatureHeader].ToString()))
        {
            return null;
        }

        try
        {
            var message = JsonSerializer.Deserialize<SandboxNotification>(body, WireJson.Options);
            return message is null || string.IsNullOrEmpty(message.PaymentId) || string.IsNullOrEmpty(message.TradeId)
                ? null
                : new PaymentNotification(message.PaymentId, message.TradeId, message.Status == "succeeded", message.AmountFen);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>The body the sandbox posts to /api/v1/payments/sandbox/notify.</summary>
public sealed record SandboxNotification(string PaymentId, string TradeId, string Status, long AmountFen);

public sealed class SandboxSigner(IOptions<PaymentsOptions> payments, IOptions<MerchantOptions> merchant)
{
    private readonly byte[] _key = string.IsNullOrEmpty(payments.Value.Sandbox.Secret)
        ? HMACSHA256.HashData(Encoding.UTF8.GetBytes(merchant.Value.NotifySecret), "sandbox-payments"u8.ToArray())
        : Encoding.UTF8.GetBytes(payments.Value.Sandbox.Secret);

    public string Sign(string body) => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(body)));

    public bool Verify(string body, string? signature) =>
        !string.IsNullOrEmpty(signature)
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(body)), Encoding.ASCII.GetBytes(signature));
}
