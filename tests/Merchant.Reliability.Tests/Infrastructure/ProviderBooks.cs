using Merchant.Testing;
using Npgsql;

namespace Merchant.Reliability.Tests.Infrastructure;

/// <summary>A refund as the payment provider's own books hold it.</summary>
public sealed record ProviderRefund(string RefundKey, long AmountFen, ProviderRefundState State, DateTimeOffset CreatedAt, DateTimeOffset? SucceededAt);

public enum ProviderRefundState
{
    /// <summary>Taken, not yet paid out (the money is still the merchant's).</summary>
    Processing,
    Succeeded,

    /// <summary>Closed or abnormal: not paid out, and it will not be without a person.</summary>
    NotMade,
}

/// <summary>One trade (out_trade_no = trade_id) as the provider sees it: what the customer paid, what went back.</summary>
public sealed record ProviderBook(string TradeId, long TotalFen, long PaidFen, IReadOnlyList<ProviderRefund> Refunds)
{
    public long RefundedFen => Refunds.Where(r => r.State == ProviderRefundState.Succeeded).Sum(r => r.AmountFen);

    public long RefundingFen => Refunds.Where(r => r.State == ProviderRefundState.Processing).Sum(r => r.AmountFen);

    /// <summary>The money the merchant keeps: paid − refunded.</summary>
    public long KeptFen => PaidFen - RefundedFen;
}

/// <summary>
/// The payment provider's own books — the independent truth the checker holds the service's money against. The sandbox
/// keeps them in its tables; the WeChat Pay simulator serves them at GET /_sim/books.
/// </summary>
public interface IProviderBooks
{
    Task<IReadOnlyDictionary<string, ProviderBook>> ReadAsync();
}

/// <summary>The sandbox provider's tables (sandbox_payments, sandbox_refunds), read the way the provider itself reads them.</summary>
public sealed class SandboxBooks(string connectionString) : IProviderBooks
{
    public async Task<IReadOnlyDictionary<string, ProviderBook>> ReadAsync()
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        var payments = new List<(string PaymentId, string TradeId, long AmountFen, bool Paid)>();
        await using (var command = new NpgsqlCommand("SELECT payment_id, trade_id, amount_fen, status FROM sandbox_payments", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                payments.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3) == "paid"));
            }
        }

        // A late refund is paid once its settle time passes, whether or not anyone asked since (as SandboxProvider reads it).
        var refunds = new List<(string PaymentId, ProviderRefund Refund)>();
        await using (var command = new NpgsqlCommand("""
            SELECT payment_id, refund_key, amount_fen, created_at, settle_at,
                   status = 'succeeded' OR (status = 'processing' AND settle_at <= now())
            FROM sandbox_refunds
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var created = reader.GetFieldValue<DateTimeOffset>(3);
                var settle = reader.IsDBNull(4) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(4);
                var paid = reader.GetBoolean(5);
                refunds.Add((reader.GetString(0), new ProviderRefund(reader.GetString(1), reader.GetInt64(2),
                    paid ? ProviderRefundState.Succeeded : ProviderRefundState.Processing, created, paid ? settle ?? created : null)));
            }
        }

        var byPayment = payments.ToDictionary(p => p.PaymentId);
        var books = payments.ToDictionary(p => p.TradeId, p => new ProviderBook(p.TradeId, p.AmountFen, p.Paid ? p.AmountFen : 0,
            refunds.Where(r => r.PaymentId == p.PaymentId).Select(r => r.Refund).ToList()));
        // A refund of a payment the sandbox never knew (planted, or a bug) is money out all the same.
        foreach (var (paymentId, refund) in refunds.Where(r => !byPayment.ContainsKey(r.PaymentId)))
        {
            books[paymentId] = new ProviderBook(paymentId, 0, 0, [refund]);
        }

        return books;
    }
}

/// <summary>The WeChat Pay simulator's books (GET /_sim/books on its control API), for tests that pay through it.</summary>
public sealed class WeChatPayBooks(WeChatPayHost wechat) : IProviderBooks
{
    public async Task<IReadOnlyDictionary<string, ProviderBook>> ReadAsync() => Map(await wechat.AllBooksAsync());

    public static IReadOnlyDictionary<string, ProviderBook> Map(WeChatPay.Simulator.Control.BooksView books) =>
        books.Trades.ToDictionary(t => t.OutTradeNo, t => new ProviderBook(t.OutTradeNo, t.Total, t.Paid,
            t.Refunds.Select(r => new ProviderRefund(r.OutRefundNo, r.Amount, r.Status switch
            {
                "SUCCESS" => ProviderRefundState.Succeeded,
                "PROCESSING" => ProviderRefundState.Processing,
                _ => ProviderRefundState.NotMade,
            }, r.CreatedAt, r.SuccessTime)).ToList()));
}
