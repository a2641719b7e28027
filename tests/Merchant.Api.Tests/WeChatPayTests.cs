using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Merchant.Api.Trades;
using Merchant.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Merchant.Api.Tests;

/// <summary>
/// WeChat Pay end to end (WECHATPAY.md §6): the API, the platform simulator and the WeChat Pay simulator, which verifies our
/// signatures, signs its answers and notifications, and keeps its own books — the money truth these tests read.
/// </summary>
[Collection(WeChatPayCollection.Name)]
public sealed class WeChatPayTests(WeChatPayStack fixture)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(40);
    private readonly Stack _stack = fixture.Stack;
    private readonly WeChatPayHost _wechat = fixture.WeChat;

    [Fact]
    public async Task A_native_payment_shows_a_qr_code_dispenses_and_keeps_the_money()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 2, price: "2.50");

        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1), (machine.Products[1].ProductId, 1));
        await _wechat.PayAsync(trade.TradeId);
        var done = await _stack.WaitForAsync(trade.TradeId, Within, "completed");
        var books = await _wechat.BooksAsync(trade.TradeId);
        var detail = await _stack.DetailAsync(trade.TradeId);

        trade.Payment!.Provider.ShouldBe("wechatpay");
        trade.Payment.PaymentId.ShouldBe(trade.TradeId);
        trade.Payment.Action!.Type.ShouldBe("qr");
        trade.Payment.Action.CodeUrl.ShouldStartWith("weixin://");
        done.Payment!.Status.ShouldBe("succeeded");
        done.Payment.Action.ShouldBeNull();
        (books.Paid, books.Refunded).ShouldBe((500L, 0L));
        detail.Timeline.ShouldContain(e => e.Kind == "payment" && e.Summary.Contains("notification: paid 5.00"));
        detail.Timeline.ShouldContain(e => e.Kind == "payment_call" && e.Summary == "wechatpay open payment");
    }

    [Fact]
    public async Task A_jsapi_payment_answers_parameters_wechat_accepts()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1, price: "3.00");
        const string OpenId = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";

        var trade = await CheckoutAsync(machine.MachineNo, machine.Products[0].ProductId, new { method = "jsapi", openid = OpenId });
        var action = trade.Payment!.Action!;
        var message = $"{action.AppId}\n{action.TimeStamp}\n{action.NonceStr}\n{action.Package}\n";
        using var merchantKey = RSA.Create();
        merchantKey.ImportFromPem(await File.ReadAllTextAsync(TestKeys.Path("merchant_public.pem")));
        var transaction = await _wechat.TransactionAsync(trade.TradeId);
        await _wechat.PayAsync(trade.TradeId, openid: OpenId);
        await _stack.WaitForAsync(trade.TradeId, Within, "completed");

        action.Type.ShouldBe("jsapi");
        action.AppId.ShouldBe(WeChatPayHost.AppId);
        action.SignType.ShouldBe("RSA");
        action.Package.ShouldBe($"prepay_id={transaction.PrepayId}");
        merchantKey.VerifyData(Encoding.UTF8.GetBytes(message), Convert.FromBase64String(action.PaySign!), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .ShouldBeTrue();
        transaction.PayerOpenid.ShouldBe(OpenId);
    }

    [Fact]
    public async Task A_jsapi_checkout_without_an_openid_is_refused_before_any_order_is_made()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);

        var response = await Send(machine.MachineNo, machine.Products[0].ProductId, new { method = "jsapi" });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Code(response)).ShouldBe("validation_failed");
        (await _stack.Simulator.MachineAsync(machine.MachineNo)).Products[0].Stock.ShouldBe(20);
    }

    [Fact]
    public async Task A_lost_notification_is_found_by_querying()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        await _wechat.NotificationFaultAsync("drop", trade.TradeId, count: 20);

        await _wechat.PayAsync(trade.TradeId);
        var done = await _stack.WaitForAsync(trade.TradeId, Within, "completed");
        var detail = await _stack.DetailAsync(trade.TradeId);

        done.Payment!.Status.ShouldBe("succeeded");
        detail.Timeline.ShouldContain(e => e.Kind == "payment" && e.Summary.Contains("query: paid"));
        detail.Timeline.ShouldNotContain(e => e.Kind == "payment" && e.Summary.Contains("notification: paid"));
    }

    [Fact]
    public async Task Duplicated_notifications_are_stored_once_and_pay_once()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        await _wechat.NotificationFaultAsync("duplicate", trade.TradeId, count: 3);

        await _wechat.PayAsync(trade.TradeId);
        await _stack.WaitForAsync(trade.TradeId, Within, "completed");
        await Task.Delay(500);

        (await CountAsync("SELECT count(*) FROM payment_notifications WHERE trade_id = $1", trade.TradeId)).ShouldBe(1);
        // Applied in the trade's transaction, so the sweep of unapplied notifications has nothing to redo.
        (await CountAsync("SELECT count(*) FROM payment_notifications WHERE trade_id = $1 AND applied_at IS NOT NULL", trade.TradeId)).ShouldBe(1);
        (await CountAsync("SELECT count(*) FROM jobs WHERE trade_id = $1 AND kind = 'confirm_paid'", trade.TradeId)).ShouldBe(1);
        (await _wechat.BooksAsync(trade.TradeId)).Net.ShouldBe(100);
    }

    [Fact]
    public async Task A_probe_notification_is_refused_and_changes_nothing()
    {
        var before = await CountAsync("SELECT count(*) FROM payment_notifications");

        await _wechat.ProbeAsync(_stack.Api.BaseUrl + "/api/v1/payments/wechatpay/notify");

        (await CountAsync("SELECT count(*) FROM payment_notifications")).ShouldBe(before);
        var probe = (await _wechat.Control.GetFromJsonAsync<JsonElement>("/_sim/probes", WeChatPayHost.Json)).EnumerateArray().Last();
        probe.GetProperty("http_status").GetInt32().ShouldBe(401);
    }

    [Fact]
    public async Task A_payment_of_another_amount_is_refunded_whole_and_needs_attention()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1, price: "3.00");
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));

        await _wechat.PayAsync(trade.TradeId, amount: 1);
        var flagged = await _stack.WaitForAsync(trade.TradeId, Within, "needs_attention");
        var books = await WaitForBooksAsync(trade.TradeId, b => b.Refunded == 1);

        flagged.StatusReason!.ShouldContain("paid 0.01");
        (books.Paid, books.Refunded, books.Net).ShouldBe((1L, 1L, 0L));
        (await _stack.Simulator.CommandsAsync(machine.MachineNo)).Commands.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_refused_prepay_rejects_the_trade_and_closes_both_orders()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        // Every attempt of this checkout (the SDK tries a prepay three times), and no other test's.
        await _wechat.EndpointFaultAsync("transactions.native", "error500", count: 3);

        var response = await Send(machine.MachineNo, machine.Products[0].ProductId, payment: null);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var tradeId = problem.GetProperty("trade_id").GetString()!;
        var rejected = await _stack.TradeAsync(tradeId);
        var stock = await WaitForStockAsync(machine.MachineNo, 20);

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        problem.GetProperty("code").GetString().ShouldBe("payment_unavailable");
        rejected.Status.ShouldBe("rejected");
        stock.ShouldBe(20);
    }

    [Fact]
    public async Task A_prepay_whose_answer_was_lost_is_closed_at_wechat_so_it_can_never_be_paid()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        await _wechat.EndpointFaultAsync("transactions.native", "error500_after", count: 3);

        var response = await Send(machine.MachineNo, machine.Products[0].ProductId, payment: null);
        var tradeId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("trade_id").GetString()!;
        var closed = await WaitForTransactionAsync(tradeId, t => t.TradeState == "CLOSED");

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await _stack.TradeAsync(tradeId)).Status.ShouldBe("rejected");
        closed.TradeState.ShouldBe("CLOSED");
    }

    [Fact]
    public async Task Cancel_closes_the_payment_at_wechat_and_then_the_platform_order()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));

        var cancel = await _stack.Api.Storefront.PostAsync($"/api/v1/trades/{trade.TradeId}/cancel", null);
        var closed = await WaitForTransactionAsync(trade.TradeId, t => t.TradeState == "CLOSED");
        var stock = await WaitForStockAsync(machine.MachineNo, 20);

        cancel.StatusCode.ShouldBe(HttpStatusCode.OK);
        closed.ClosedAt.ShouldNotBeNull();
        stock.ShouldBe(20);
    }

    [Fact]
    public async Task A_payment_made_before_a_cancel_reached_wechat_is_a_late_payment_refunded_in_full()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1, price: "2.00");
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        await _wechat.NotificationFaultAsync("drop", trade.TradeId, count: 20);
        await _wechat.PayAsync(trade.TradeId);

        await _stack.Api.Storefront.PostAsync($"/api/v1/trades/{trade.TradeId}/cancel", null);
        var refunded = await _stack.WaitForAsync(trade.TradeId, Within, "refunded");
        var books = await WaitForBooksAsync(trade.TradeId, b => b.Refunded == 200);

        refunded.RefundedAmount.ShouldBe("2.00");
        (books.Paid, books.Refunded).ShouldBe((200L, 200L));
        (await _stack.Simulator.CommandsAsync(machine.MachineNo)).Commands.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("delayed_success", "partially_refunded", "refunded")]
    [InlineData("success", "partially_refunded", "refunded")]
    [InlineData("closed", "needs_attention", "needs_attention")]
    [InlineData("abnormal", "needs_attention", "needs_attention")]
    public async Task A_failed_line_is_refunded_at_wechat_and_settles_by_what_wechat_says(string outcome, string tradeStatus, string lineStatus)
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 2, price: "1.50");
        await _stack.Simulator.FailNextDispensesAsync(machine.MachineNo, 1);
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1), (machine.Products[1].ProductId, 1));
        await _wechat.RefundOutcomeAsync(outcome, trade.TradeId);

        await _wechat.PayAsync(trade.TradeId);
        var settled = await _stack.WaitForAsync(trade.TradeId, Within, tradeStatus);
        var books = await _wechat.BooksAsync(trade.TradeId);

        var failed = settled.Lines.Single(l => l.Status != "dispensed");
        failed.Status.ShouldBe(lineStatus);
        books.Paid.ShouldBe(300);
        books.Refunds.ShouldHaveSingleItem().OutRefundNo.ShouldBe($"{trade.TradeId}-{failed.LineId}");
        books.Refunded.ShouldBe(lineStatus == "refunded" ? 150 : 0);
        settled.RefundedAmount.ShouldBe(lineStatus == "refunded" ? "1.50" : "0.00");
    }

    [Fact]
    public async Task Notifications_out_of_order_settle_the_same_way()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 2, price: "1.00");
        await _stack.Simulator.FailNextDispensesAsync(machine.MachineNo, 1);
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1), (machine.Products[1].ProductId, 1));
        await _wechat.RefundOutcomeAsync("success", trade.TradeId);
        // The payment's news is held back until the refund's is out too, then both arrive last-first; the query pays meanwhile.
        await _wechat.NotificationFaultAsync("reorder", trade.TradeId, count: 2);

        await _wechat.PayAsync(trade.TradeId);
        var settled = await _stack.WaitForAsync(trade.TradeId, Within, "partially_refunded");
        var books = await _wechat.BooksAsync(trade.TradeId);

        settled.RefundedAmount.ShouldBe("1.00");
        (books.Paid, books.Refunded, books.Net).ShouldBe((200L, 100L, 100L));
        (await CountAsync("SELECT count(*) FROM refunds WHERE trade_id = $1 AND status = 'succeeded'", trade.TradeId)).ShouldBe(1);
    }

    [Fact]
    public async Task A_refund_whose_answer_was_lost_is_asked_again_and_paid_once()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1, price: "2.00");
        await _stack.Simulator.FailNextDispensesAsync(machine.MachineNo, 1);
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        await _wechat.EndpointFaultAsync("refunds.create", "error500_after", count: 1, outTradeNo: trade.TradeId);
        var asked = await RefundRequestsAsync();

        await _wechat.PayAsync(trade.TradeId);
        await _stack.WaitForAsync(trade.TradeId, Within, "refunded");
        var books = await _wechat.BooksAsync(trade.TradeId);

        // The first request took effect and its answer was lost; the same out_refund_no was sent again.
        (await RefundRequestsAsync() - asked).ShouldBeGreaterThanOrEqualTo(2);
        books.Refunds.ShouldHaveSingleItem().Amount.ShouldBe(200);
        (books.Paid, books.Refunded, books.Net).ShouldBe((200L, 200L, 0L));
    }

    private async Task<TradeResponse> CheckoutAsync(string machineNo, long productId, object payment)
    {
        var response = await Send(machineNo, productId, payment);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, body);
        return JsonSerializer.Deserialize<TradeResponse>(body, Stack.Json)!;
    }

    private async Task<HttpResponseMessage> Send(string machineNo, long productId, object? payment)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/checkouts")
        {
            Content = JsonContent.Create(new { machine_no = machineNo, items = new[] { new { product_id = productId, quantity = 1 } }, payment }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        return await _stack.Api.Storefront.SendAsync(request);
    }

    private async Task<int> RefundRequestsAsync() =>
        (await _wechat.Control.GetFromJsonAsync<JsonElement>("/_sim/requests", WeChatPayHost.Json)).GetProperty("counts")
            .TryGetProperty("refunds.create", out var count) ? count.GetInt32() : 0;

    private static async Task<string?> Code(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();

    private async Task<long> CountAsync(string sql, string? tradeId = null)
    {
        await using var connection = new NpgsqlConnection(_stack.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        if (tradeId is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = tradeId });
        }

        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<WeChatPay.Simulator.Control.TradeBookView> WaitForBooksAsync(string tradeId, Func<WeChatPay.Simulator.Control.TradeBookView, bool> done)
    {
        var deadline = DateTime.UtcNow + Within;
        var books = await _wechat.BooksAsync(tradeId);
        while (!done(books) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            books = await _wechat.BooksAsync(tradeId);
        }

        return books;
    }

    private async Task<WeChatPay.Simulator.Control.TransactionView> WaitForTransactionAsync(string tradeId,
        Func<WeChatPay.Simulator.Control.TransactionView, bool> done)
    {
        var deadline = DateTime.UtcNow + Within;
        var transaction = await _wechat.TransactionAsync(tradeId);
        while (!done(transaction) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            transaction = await _wechat.TransactionAsync(tradeId);
        }

        return transaction;
    }

    private async Task<int> WaitForStockAsync(string machineNo, int expected)
    {
        var deadline = DateTime.UtcNow + Within;
        var stock = (await _stack.Simulator.MachineAsync(machineNo)).Products[0].Stock;
        while (stock != expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            stock = (await _stack.Simulator.MachineAsync(machineNo)).Products[0].Stock;
        }

        return stock;
    }
}

/// <summary>One WeChat Pay simulator, platform simulator and API for the WeChat Pay tests (each test uses machines of its own).</summary>
public sealed class WeChatPayStack : IAsyncLifetime
{
    public WeChatPayHost WeChat { get; private set; } = null!;

    public Stack Stack { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        WeChat = await WeChatPayHost.StartAsync();
        Stack = await Stack.StartAsync(WeChat.ApiSettings());
    }

    public async Task DisposeAsync()
    {
        await Stack.DisposeAsync();
        await WeChat.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class WeChatPayCollection : ICollectionFixture<WeChatPayStack>
{
    public const string Name = "wechatpay";
}

/// <summary>Expiry needs a payment window of seconds, so these tests have a stack of their own.</summary>
public sealed class WeChatPayExpiryTests : IAsyncLifetime
{
    private WeChatPayHost _wechat = null!;
    private Stack _stack = null!;

    public async Task InitializeAsync()
    {
        _wechat = await WeChatPayHost.StartAsync();
        var settings = _wechat.ApiSettings();
        settings["Orders:PaymentWindow"] = "00:00:03";
        _stack = await Stack.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        await _wechat.DisposeAsync();
    }

    [Fact]
    public async Task An_unpaid_trade_is_closed_at_wechat_when_its_window_ends_and_can_no_longer_be_paid()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));

        var expired = await _stack.WaitForAsync(trade.TradeId, TimeSpan.FromSeconds(30), "expired");
        var transaction = await _wechat.TransactionAsync(trade.TradeId);
        var pay = await _wechat.Control.PostAsJsonAsync($"/_sim/transactions/{trade.TradeId}/pay", new { }, WeChatPayHost.Json);

        expired.Payment!.Status.ShouldBe("closed");
        transaction.TradeState.ShouldBe("CLOSED");
        pay.IsSuccessStatusCode.ShouldBeFalse();
        (await _wechat.BooksAsync(trade.TradeId)).Paid.ShouldBe(0);
    }

    [Fact]
    public async Task A_payment_made_in_time_whose_news_was_lost_is_kept_when_the_window_ends()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 1);
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        await _wechat.NotificationFaultAsync("drop", trade.TradeId, count: 20);
        await _wechat.EndpointFaultAsync("transactions.query", "error500", count: 3, outTradeNo: trade.TradeId);

        await _wechat.PayAsync(trade.TradeId);
        var done = await _stack.WaitForAsync(trade.TradeId, TimeSpan.FromSeconds(40), "completed");

        done.Payment!.Status.ShouldBe("succeeded");
        (await _wechat.BooksAsync(trade.TradeId)).Net.ShouldBe(100);
    }
}

/// <summary>DESIGN §4 and WECHATPAY §6.6: the APIv3 key and the merchant's private key never reach a log line or an answer (the metrics scrape included).</summary>
public sealed class WeChatPaySecretsTests : IAsyncLifetime
{
    private readonly ConcurrentLogSink _logs = new();
    private WeChatPayHost _wechat = null!;
    private Stack _stack = null!;

    public async Task InitializeAsync()
    {
        _wechat = await WeChatPayHost.StartAsync();
        var settings = _wechat.ApiSettings();
        settings["Serilog:MinimumLevel:Default"] = "Debug";
        settings["Serilog:MinimumLevel:Override:System.Net.Http.HttpClient"] = "Debug";
        settings["Serilog:MinimumLevel:Override:Polly"] = "Debug";
        settings["Demo:Enabled"] = "true";
        settings["Demo:StorefrontKey"] = MerchantHost.StorefrontKey;
        settings["Demo:WeChatPaySimulatorUrl"] = _wechat.BaseUrl;
        _stack = await Stack.StartAsync(settings, services: services => services.AddSingleton<Serilog.Core.ILogEventSink>(_logs));
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        await _wechat.DisposeAsync();
    }

    [Fact]
    public async Task A_purchase_with_a_refund_logs_and_answers_no_wechat_secret()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 2);
        await _stack.Simulator.FailNextDispensesAsync(machine.MachineNo, 1);
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1), (machine.Products[1].ProductId, 1));

        await _wechat.PayAsync(trade.TradeId);
        await _stack.WaitForAsync(trade.TradeId, TimeSpan.FromSeconds(40), "partially_refunded");
        var answers = string.Join("\n", await _stack.Api.Storefront.GetStringAsync($"/api/v1/trades/{trade.TradeId}"),
            await _stack.Api.Ops.GetStringAsync($"/api/v1/ops/trades/{trade.TradeId}"), await _stack.Api.Ops.GetStringAsync("/metrics"));

        _logs.Text.ShouldContain(trade.TradeId);
        await NoSecretInAsync(_logs.Text, answers);
    }

    [Fact]
    public async Task Paying_through_the_demo_logs_and_answers_no_wechat_secret()
    {
        var machine = await _stack.Simulator.CreateMachineAsync(products: 2);
        await _stack.Simulator.FailNextDispensesAsync(machine.MachineNo, 1);
        var trade = await _stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1), (machine.Products[1].ProductId, 1));
        using var page = _stack.Api.Client(apiKey: null);

        var config = await page.GetStringAsync("/demo/config.json");
        var qr = await page.GetStringAsync("/demo/qr.svg?data=" + Uri.EscapeDataString(trade.Payment!.Action!.CodeUrl!));
        using var scan = await _stack.Api.Storefront.PostAsync($"/demo/wechatpay/trades/{trade.TradeId}/pay", content: null);
        await _stack.WaitForAsync(trade.TradeId, TimeSpan.FromSeconds(40), "partially_refunded");
        using var again = await _stack.Api.Storefront.PostAsync($"/demo/wechatpay/trades/{trade.TradeId}/pay", content: null);
        var answers = string.Join("\n", config, qr, await scan.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync(),
            await _stack.Api.Ops.GetStringAsync($"/api/v1/ops/trades/{trade.TradeId}"));

        scan.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        _logs.Text.ShouldContain("Demo: the WeChat Pay simulator answered 200 to paying trade");
        await NoSecretInAsync(_logs.Text, answers);
    }

    private static async Task NoSecretInAsync(params string[] texts)
    {
        var privateKey = (await File.ReadAllLinesAsync(TestKeys.Path("merchant_private.pem"))).Where(l => !l.StartsWith("-----", StringComparison.Ordinal)).ToList();
        foreach (var text in texts)
        {
            text.ShouldNotContain(WeChatPayHost.ApiV3Key);
            privateKey.ShouldAllBe(line => !text.Contains(line));
        }
    }

    private sealed class ConcurrentLogSink : Serilog.Core.ILogEventSink
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

        public string Text => string.Join("\n", _lines);

        public void Emit(Serilog.Events.LogEvent logEvent) =>
            _lines.Enqueue(logEvent.RenderMessage() + " " + string.Join(" ", logEvent.Properties.Select(p => $"{p.Key}={p.Value}")) + " " + logEvent.Exception);
    }
}
