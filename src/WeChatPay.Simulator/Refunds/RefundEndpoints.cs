using WeChatPay.Simulator.Api;

namespace WeChatPay.Simulator.Refunds;

internal static class RefundEndpoints
{
    public static void MapRefunds(this IEndpointRouteBuilder routes)
    {
        var service = routes.ServiceProvider.GetRequiredService<RefundService>();
        routes.MapV3("POST", "/v3/refund/domestic/refunds", "refunds.create", service.Create);
        routes.MapV3("GET", "/v3/refund/domestic/refunds/{out_refund_no}", "refunds.query", service.Query);
    }
}
