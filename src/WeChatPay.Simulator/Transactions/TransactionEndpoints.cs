using WeChatPay.Simulator.Api;

namespace WeChatPay.Simulator.Transactions;

internal static class TransactionEndpoints
{
    public static void MapTransactions(this IEndpointRouteBuilder routes)
    {
        var service = routes.ServiceProvider.GetRequiredService<TransactionService>();
        routes.MapV3("POST", "/v3/pay/transactions/native", "transactions.native", call => service.Prepay(call, TransactionService.Native));
        routes.MapV3("POST", "/v3/pay/transactions/jsapi", "transactions.jsapi", call => service.Prepay(call, TransactionService.Jsapi));
        routes.MapV3("GET", "/v3/pay/transactions/out-trade-no/{out_trade_no}", "transactions.query", service.Query);
        routes.MapV3("POST", "/v3/pay/transactions/out-trade-no/{out_trade_no}/close", "transactions.close", service.Close);
    }
}
