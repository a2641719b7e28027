using System.Diagnostics;
using System.Text.Json;
using Merchant.Api.Catalog;
using Merchant.Api.Errors;
using Merchant.Api.Hosting;
using Merchant.Api.Idempotency;
using Merchant.Api.Jobs;
using Merchant.Api.Payments;
using Merchant.Api.PlatformNotify;
using Merchant.Api.Slots;
using Merchant.Api.Telemetry;
using Merchant.Api.Trades;
using Merchant.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Vending.Platform;

namespace Merchant.Api.Checkouts;

/// <summary>
/// Checkout: persist the trade, create the platform order, price it from the platform, open the payment.
/// Create-order cannot be repeated safely, so any ambiguous failure rejects the trade (DESIGN §3);
/// an orphaned platform order expires by itself within 20 minutes.
/// </summary>
public sealed partial class CheckoutService(
    TradeStore trades,
    CatalogService catalog,
    IPlatformApi platform,
    NotifyTokens tokens,
    PublicUrls urls,
    PaymentProviders payments,
    TradeIds ids,
    CheckoutWriter writer,
    SlotHealth slots,
    TimeProvider clock,
    IOptions<OrdersOptions> orders,
    IOptions<PaymentsOptions> paymentOptions,
    ILogger<CheckoutService> logger)
{
    /// <summary>Runs a checkout; the answer is stored under <paramref name="claim"/> (the Idempotency-Key) with the last write.</summary>
    public async Task<TradeResponse> CheckoutAsync(CheckoutRequest request, IdempotencyClaim? claim, CancellationToken cancellationToken)
    {
        CheckoutValidation.Validate(request);
        if (request.Payment?.Method == CheckoutValidation.Jsapi && string.IsNullOrEmpty(request.Payment.Openid) && payments.Current.JsapiNeedsOpenId)
        {
            throw ApiProblem.Validation("payment.openid is required when payment.method is \"jsapi\".");
        }

        var machineNo = request.MachineNo!;
        var products = await ReadCatalogAsync(machineNo, fresh: false, cancellationToken);
        if (request.Items!.Any(i => !products.Any(p => p.ProductId == i.ProductId)))
        {
            // The listing may predate a product added since: look again before refusing.
            products = await ReadCatalogAsync(machineNo, fresh: true, cancellationToken);
        }

        var lines = new List<LineDraft>();
        foreach (var item in request.Items!)
        {
            var product = products.FirstOrDefault(p => p.ProductId == item.ProductId)
                ?? throw new ApiProblem(422, "product_not_found", $"Product {item.ProductId} is not sold on machine {machineNo}.");
            lines.AddRange(Enumerable.Repeat(new LineDraft(product.ProductId, product.Name, product.PriceFen), item.Quantity));
        }

        // DESIGN §2 rule 10: a slot in fault sells nothing until ops clear it; selling from it only buys a refund.
        await slots.RefuseFaultedAsync(machineNo, request.Items!.Select(i => i.ProductId), cancellationToken);

        var now = clock.GetUtcNow();
        var trade = Trade.NewPurchase(await ids.NextAsync(now, cancellationToken), machineNo, lines, request.CustomerRef, now);
        // The create-order call runs as a job claimed by this request; if we die mid-call, a worker finds it
        // marked as sent and rejects the trade rather than risk a second order.
        var job = JobQueue.New(JobKinds.CreateOrder, now, TimeSpan.FromMinutes(1), trade.TradeId);
        job.ClaimedBy("checkout", now, JobQueue.RequestLease).SentAt = now;
        var events = new List<TradeEvent>
        {
            trades.NewNote(trade.TradeId, "request", Actors.Storefront, $"checkout of {lines.Count} item(s) at machine {machineNo}"),
        };
        events.AddRange(TradeStore.TakeTransitions(trade, Actors.Storefront));
        await writer.InsertAsync(trade, job, events, cancellationToken);
        var insertedLines = trade.Lines.Count;
        events.Clear();

        var newJobs = new List<Job>();
        var started = Stopwatch.GetTimestamp();
        PlatformOrder order;
        try
        {
            var created = await platform.CreateOrderAsync(new CreateOrderRequest(
                machineNo, urls.NotifyUrl(tokens.For(trade.TradeId)), trade.TradeId,
                [.. trade.Lines.Select(l => new OrderProduct(l.ProductId, 1))]), cancellationToken);
            events.Add(trades.NewNote(trade.TradeId, "platform_call", Actors.Storefront, "create order", $"order {created.OrderId}", startedTimestamp: started));
            catalog.Invalidate(machineNo);
            started = Stopwatch.GetTimestamp();
            try
            {
                order = await platform.GetOrderAsync(new QueryOrderRequest(machineNo, created.OrderId), cancellationToken);
                events.Add(trades.NewNote(trade.TradeId, "platform_call", Actors.Storefront, "query order", $"{order.Records.Count} record(s), amount {order.Amount}", startedTimestamp: started));
            }
            catch (PlatformException e)
            {
                // The order exists but we cannot read its records: close it instead of leaving stock held.
                events.Add(trades.NewNote(trade.TradeId, "platform_call", Actors.Storefront, "query order", $"failed: {e.Category}", startedTimestamp: started));
                newJobs.Add(JobQueue.New(JobKinds.CloseOrder, now, orders.Value.PlatformOrderLifetime, trade.TradeId,
                    payload: created.OrderId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                throw;
            }
        }
        catch (PlatformException e)
        {
            events.Add(trades.NewNote(trade.TradeId, "platform_call", Actors.Storefront, "create order", $"failed: {e.Category} ({e.Code})", startedTimestamp: started));
            var problem = e.ToProblem();
            trade.Reject(problem.Code == "platform_unavailable" ? "platform unavailable or ambiguous answer" : problem.Code, clock.GetUtcNow());
            events.AddRange(TradeStore.TakeTransitions(trade, Actors.Storefront));
            await writer.UpdateAsync(trade, insertedLines, events, newJobs, job.JobId, payment: null, CancellationToken.None);
            LogRejected(logger, trade.TradeId, machineNo, e.Category, e.Code);
            MerchantTelemetry.Checkouts.Add(1, MerchantTelemetry.Tag("outcome", problem.Code));
            throw problem.With("trade_id", trade.TradeId);
        }

        now = clock.GetUtcNow();
        var records = order.Records.Select(r => new PlatformRecord(r.RecordId, r.ProductId, r.Quantity, r.PriceFen)).ToList();
        var payBefore = now + orders.Value.PaymentWindow;
        var provider = payments.Current;
        started = Stopwatch.GetTimestamp();
        OpenedPayment opened;
        try
        {
            opened = await provider.OpenAsync(new PaymentRequest(trade.TradeId, order.AmountFen, trade.Currency, payBefore,
                Describe(trade), request.Payment?.Method ?? CheckoutValidation.Native, request.Payment?.Openid), cancellationToken);
            events.Add(trades.NewNote(trade.TradeId, "payment_call", Actors.Storefront, $"{provider.Name} open payment", opened.Action.Type, startedTimestamp: started));
        }
        catch (PaymentUnavailableException e)
        {
            // WECHATPAY §6.1: the customer never saw a code, so nothing can be paid; close what may exist on both sides.
            events.Add(trades.NewNote(trade.TradeId, "payment_call", Actors.Storefront, $"{provider.Name} open payment",
                $"failed{(e.OutcomeUnknown ? ", outcome unknown" : "")}: {e.Message}", startedTimestamp: started));
            trade.Reject($"payment_unavailable: {e.Message}", now);
            events.AddRange(TradeStore.TakeTransitions(trade, Actors.Storefront));
            var orderId = order.OrderId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            newJobs.Add(JobQueue.New(JobKinds.ClosePayment, now, TradeService.ClosePaymentDeadline, trade.TradeId, payload: orderId,
                dedupeKey: $"close-payment:{trade.TradeId}"));
            var unopened = e.PaymentId is null ? null : NewPayment(trade, provider, e.PaymentId, order.AmountFen, request.Payment, action: null, now);
            await writer.UpdateAsync(trade, insertedLines, events, newJobs, job.JobId, unopened, CancellationToken.None);
            LogPaymentUnavailable(logger, trade.TradeId, provider.Name, e.OutcomeUnknown);
            MerchantTelemetry.Checkouts.Add(1, MerchantTelemetry.Tag("outcome", "payment_unavailable"));
            throw new ApiProblem(503, "payment_unavailable", "The payment provider is unavailable; nothing was charged. Try again shortly.")
                .With("trade_id", trade.TradeId);
        }

        trade.PlaceOrder(order.OrderId, records, order.AmountFen, now, orders.Value.PaymentWindow, now);
        var paymentRow = NewPayment(trade, provider, opened.PaymentId, trade.AmountFen, request.Payment,
            JsonSerializer.Serialize(opened.Action, WireJson.Options), now);
        newJobs.Add(JobQueue.New(JobKinds.ExpireTrade, now, orders.Value.PlatformOrderLifetime - orders.Value.PaymentWindow, trade.TradeId,
            runAt: trade.PayBefore, dedupeKey: $"expire:{trade.TradeId}"));
        newJobs.Add(JobQueue.New(JobKinds.QueryPayment, now, orders.Value.PaymentWindow, trade.TradeId, runAt: now + paymentOptions.Value.QueryFirstAfter,
            dedupeKey: $"query-payment:{trade.TradeId}"));
        events.AddRange(TradeStore.TakeTransitions(trade, Actors.Storefront));
        var response = trade.ToResponse(paymentRow);
        var answer = claim is null ? null : IdempotencyClaim.Serialize(response);
        await writer.UpdateAsync(trade, insertedLines, events, newJobs, job.JobId, paymentRow, cancellationToken,
            claim is null ? null : claim.CompletionParameters(answer!));
        if (claim is not null)
        {
            claim.Stored(answer!);
        }

        LogCreated(logger, trade.TradeId, machineNo, order.OrderId, trade.AmountFen);
        MerchantTelemetry.Checkouts.Add(1, MerchantTelemetry.Tag("outcome", "created"));
        return response;
    }

    private static Payment NewPayment(Trade trade, IPaymentProvider provider, string paymentId, long amountFen, CheckoutPayment? request,
        string? action, DateTimeOffset now) => new()
        {
            TradeId = trade.TradeId,
            Provider = provider.Name,
            ProviderPaymentId = paymentId,
            Status = Payment.Pending,
            AmountFen = amountFen,
            Method = request?.Method ?? CheckoutValidation.Native,
            Action = action,
            CreatedAt = now,
            UpdatedAt = now,
        };

    // What the customer sees on their payment (WeChat Pay allows 127 characters).
    private static string Describe(Trade trade)
    {
        var text = string.Join(", ", trade.Lines.GroupBy(l => l.Name).Select(g => g.Count() == 1 ? g.Key : $"{g.Key} x{g.Count()}"));
        return text.Length <= 127 ? text : text[..124] + "...";
    }

    private async Task<IReadOnlyList<ProductView>> ReadCatalogAsync(string machineNo, bool fresh, CancellationToken cancellationToken)
    {
        try
        {
            if (!fresh)
            {
                return await catalog.ListingAsync(machineNo, cancellationToken);
            }

            catalog.Invalidate(machineNo);
            return await catalog.ProductsAsync(machineNo, cancellationToken);
        }
        catch (PlatformException e)
        {
            throw e.ToProblem();
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Trade {TradeId} created at machine {MachineNo}: platform order {OrderId}, {AmountFen} fen")]
    private static partial void LogCreated(ILogger logger, string tradeId, string machineNo, long orderId, long amountFen);

    [LoggerMessage(2, LogLevel.Warning, "Trade {TradeId} at machine {MachineNo} rejected: {Category} ({Code})")]
    private static partial void LogRejected(ILogger logger, string tradeId, string machineNo, PlatformErrorCategory category, int code);

    [LoggerMessage(3, LogLevel.Warning, "Trade {TradeId} rejected: {Provider} could not open the payment (outcome unknown: {OutcomeUnknown})")]
    private static partial void LogPaymentUnavailable(ILogger logger, string tradeId, string provider, bool outcomeUnknown);
}

/// <summary>
/// Numeric trade ids (API.md: 20–32 digits, unique): UTC time to the second and a database sequence. The sequence is
/// read a block at a time (one round trip per <see cref="Block"/> trades instead of one per trade); uniqueness rests on
/// the sequence alone, so a block used across instances and restarts stays unique — a restart only skips numbers.
/// </summary>
public sealed class TradeIds(NpgsqlDataSource dataSource) : IDisposable
{
    private const int Block = 32;
    private readonly Queue<long> _reserved = new();
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<string> NextAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        long sequence;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_reserved.Count == 0)
            {
                await using var command = dataSource.CreateCommand($"SELECT nextval('trade_id_seq') FROM generate_series(1, {Block})");
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    _reserved.Enqueue(reader.GetInt64(0));
                }
            }

            sequence = _reserved.Dequeue();
        }
        finally
        {
            _gate.Release();
        }

        return $"{now.UtcDateTime:yyyyMMddHHmmss}{sequence % 1_000_000_000_000:D12}";
    }

    public void Dispose() => _gate.Dispose();
}
