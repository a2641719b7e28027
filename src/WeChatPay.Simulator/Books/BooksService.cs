using WeChatPay.Simulator.Control;
using WeChatPay.Simulator.Refunds;
using WeChatPay.Simulator.State;
using WeChatPay.Simulator.Transactions;

namespace WeChatPay.Simulator.Books;

/// <summary>WeChat Pay's books per out_trade_no: what was paid and refunded, for comparing with what was dispensed.</summary>
internal sealed class BooksService(SimState state)
{
    public BooksView All()
    {
        lock (state.Gate)
        {
            var trades = state.Transactions.Values.OrderBy(t => t.CreatedAt).Select(Book).ToList();
            return new BooksView(
                new BookTotalsView(
                    trades.Count, trades.Sum(t => t.Paid), trades.Sum(t => t.Refunded), trades.Sum(t => t.Refunding), trades.Sum(t => t.Net)),
                trades);
        }
    }

    public IResult Trade(string outTradeNo)
    {
        lock (state.Gate)
        {
            return state.Transactions.TryGetValue(outTradeNo, out var transaction)
                ? Results.Ok(Book(transaction))
                : Results.NotFound(new ErrorView($"transaction {outTradeNo} not found"));
        }
    }

    private TradeBookView Book(Transaction transaction)
    {
        var refunds = transaction.RefundNos.Select(no => state.Refunds[no]).ToList();
        var paid = transaction.PaidAmount ?? 0;
        var refunded = refunds.Where(r => r.Status == RefundStatus.Success).Sum(r => r.Amount);
        return new TradeBookView(
            transaction.OutTradeNo,
            state.TradeStateOf(transaction),
            transaction.Total,
            paid,
            refunded,
            refunds.Where(r => r.Status is RefundStatus.Processing or RefundStatus.Abnormal).Sum(r => r.Amount),
            paid - refunded,
            transaction.Attempts.Select(a => new PaymentView(
                a.Outcome, a.Amount, a.Outcome == TradeState.Success ? transaction.TransactionId : null, a.At)).ToList(),
            refunds.Select(r => new RefundBookView(r.OutRefundNo, r.RefundId, r.Amount, r.Status, r.CreatedAt, r.SuccessTime)).ToList());
    }
}
