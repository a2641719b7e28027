using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Merchant.Api.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Merchant.Api.Payments.Sandbox;

/// <summary>
/// A payment provider that lives in our database (its own tables, written by its own statements, as a real provider's
/// books are its own): it takes payments the sandbox pay endpoint plays, signs its notifications with HMAC-SHA256,
/// and pays each refund key once, at once — unless its fault switch (<see cref="SandboxFaults"/>) scripts otherwise.
/// </summary>
public sealed class SandboxProvider(NpgsqlDataSource dataSource, TimeProvider clock, SandboxSigner signer, SandboxFaults faults) : IPaymentProvider
{
    public const string ProviderName = "sandbox";
    public const string SignatureHeader = "X-Sandbox-Signature";

    public string Name => ProviderName;

    public bool JsapiNeedsOpenId => false;

    public async Task<OpenedPayment> OpenAsync(PaymentRequest request, CancellationToken cancellationToken)
    {
        var paymentId = $"sbx_{request.TradeId}";
        await using var command = dataSource.CreateCommand("""
            INSERT INTO sandbox_payments (payment_id, trade_id, amount_fen, status, created_at, updated_at)
            VALUES ($1, $2, $3, 'open', $4, $4)
            ON CONFLICT (payment_id) DO NOTHING
            """);
        command.Parameters.Add(new() { Value = paymentId });
        command.Parameters.Add(new() { Value = request.TradeId });
        command.Parameters.Add(new() { Value = request.AmountFen });
        command.Parameters.Add(new() { Value = clock.GetUtcNow() });
        await command.ExecuteNonQueryAsync(cancellationToken);
        return new OpenedPayment(paymentId, new PaymentAction(PaymentAction.Sandbox));
    }

    public async Task<PaymentState> QueryAsync(PaymentRef payment, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT status, amount_fen, updated_at FROM sandbox_payments WHERE payment_id = $1");
        command.Parameters.Add(new() { Value = payment.PaymentId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return new PaymentState(payment.TradeId, ProviderPaymentStatus.Unknown);
        }

        var status = reader.GetString(0) switch
        {
            "paid" => ProviderPaymentStatus.Succeeded,
            "failed" => ProviderPaymentStatus.Failed,
            "closed" => ProviderPaymentStatus.Closed,
            _ => ProviderPaymentStatus.Pending,
        };
        return new PaymentState(payment.TradeId, status)
        {
            TransactionId = status == ProviderPaymentStatus.Succeeded ? payment.PaymentId : null,
            PaidFen = status == ProviderPaymentStatus.Succeeded ? reader.GetInt64(1) : null,
            PaidAt = status == ProviderPaymentStatus.Succeeded ? reader.GetFieldValue<DateTimeOffset>(2) : null,
        };
    }

    public async Task<PaymentState> CloseAsync(PaymentRef payment, CancellationToken cancellationToken)
    {
        await using (var command = dataSource.CreateCommand(
            "UPDATE sandbox_payments SET status = 'closed', updated_at = $2 WHERE payment_id = $1 AND status IN ('open', 'failed')"))
        {
            command.Parameters.Add(new() { Value = payment.PaymentId });
            command.Parameters.Add(new() { Value = clock.GetUtcNow() });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        // A payment made before the close stays paid: the caller treats that as a late payment.
        return await QueryAsync(payment, cancellationToken);
    }

    public async Task<RefundState> RefundAsync(RefundRequest request, CancellationToken cancellationToken)
    {
        var fault = await faults.TakeAsync(SandboxFaults.Refund, request.TradeId, cancellationToken);
        switch (fault?.Mode)
        {
            case "error":
                throw new PaymentProviderException("sandbox fault: the refund service did not answer (nothing was taken)");
            case "fail":
                return new RefundState(request.RefundKey, ProviderRefundStatus.Closed) { Detail = "sandbox fault: refund refused, the balance is too low" };
        }

        var now = clock.GetUtcNow();
        var late = fault?.Mode == "late";
        // One statement: the key's primary key makes a retried refund a no-op, and refunds never exceed the payment.
        await using (var command = dataSource.CreateCommand("""
            INSERT INTO sandbox_refunds (refund_key, payment_id, refund_id, amount_fen, created_at, status, settle_at)
            SELECT $1, p.payment_id, $3, $4, $5, $6, $7
            FROM sandbox_payments p
            WHERE p.payment_id = $2 AND p.status = 'paid'
              AND (SELECT coalesce(sum(r.amount_fen), 0) FROM sandbox_refunds r WHERE r.payment_id = p.payment_id) + $4 <= p.amount_fen
            ON CONFLICT (refund_key) DO NOTHING
            """))
        {
            command.Parameters.Add(new() { Value = request.RefundKey });
            command.Parameters.Add(new() { Value = request.PaymentId });
            command.Parameters.Add(new() { Value = $"sbr_{Guid.NewGuid():N}" });
            command.Parameters.Add(new() { Value = request.AmountFen });
            command.Parameters.Add(new() { Value = now });
            command.Parameters.Add(new() { Value = late ? SandboxRefund.Processing : SandboxRefund.Succeeded });
            command.Parameters.Add(new() { Value = late ? now + fault!.Delay(TimeSpan.FromSeconds(5)) : DBNull.Value });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        if (fault?.Mode == "hang")
        {
            // Taken, and the answer is lost: the caller must ask again under the same key, which pays nothing twice.
            await Task.Delay(fault.Delay(TimeSpan.FromSeconds(5)), cancellationToken);
            throw new PaymentProviderException("sandbox fault: no answer to the refund in time (it was taken)");
        }

        var state = await QueryRefundAsync(request, cancellationToken);
        return state.Status == ProviderRefundStatus.Unknown
            ? state with { Status = ProviderRefundStatus.Closed, Detail = "the sandbox refused: the payment is not paid, or refunds would exceed it" }
            : state;
    }

    public async Task<RefundState> QueryRefundAsync(RefundRequest request, CancellationToken cancellationToken)
    {
        // A late refund settles by the clock, whoever asks: the provider's books do not wait for a query.
        await using var command = dataSource.CreateCommand("""
            UPDATE sandbox_refunds SET status = CASE WHEN status = 'processing' AND settle_at <= $2 THEN 'succeeded' ELSE status END
            WHERE refund_key = $1
            RETURNING refund_id, status
            """);
        command.Parameters.Add(new() { Value = request.RefundKey });
        command.Parameters.Add(new() { Value = clock.GetUtcNow() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return new RefundState(request.RefundKey, ProviderRefundStatus.Unknown);
        }

        var status = reader.GetString(1) == SandboxRefund.Succeeded ? ProviderRefundStatus.Succeeded : ProviderRefundStatus.Processing;
        return new RefundState(request.RefundKey, status) { RefundId = reader.GetString(0) };
    }

    public Task<NotificationReading> ReadNotificationAsync(byte[] body, IHeaderDictionary headers, CancellationToken cancellationToken) =>
        Task.FromResult(Read(body, headers));

    private NotificationReading Read(byte[] body, IHeaderDictionary headers)
    {
        var text = Encoding.UTF8.GetString(body);
        if (!signer.Verify(text, headers[SignatureHeader].ToString()))
        {
            return NotificationReading.Reject("signature does not verify");
        }

        try
        {
            var message = JsonSerializer.Deserialize<SandboxNotification>(text, WireJson.Options);
            if (message is null || string.IsNullOrEmpty(message.PaymentId) || string.IsNullOrEmpty(message.TradeId))
            {
                return NotificationReading.Reject("not a sandbox payment notification");
            }

            var succeeded = message.Status == "succeeded";
            return NotificationReading.Accept(new ProviderNotification($"{message.PaymentId}:{message.Status}", message.TradeId)
            {
                Payment = new PaymentState(message.TradeId, succeeded ? ProviderPaymentStatus.Succeeded : ProviderPaymentStatus.Failed)
                {
                    TransactionId = succeeded ? message.PaymentId : null,
                    PaidFen = succeeded ? message.AmountFen : null,
                },
            });
        }
        catch (JsonException)
        {
            return NotificationReading.Reject("not JSON");
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
