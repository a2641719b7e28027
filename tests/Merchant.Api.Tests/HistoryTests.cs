using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Merchant.Api.Ops;
using Merchant.Api.Retention;
using Merchant.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Merchant.Api.Tests;

/// <summary>Rows written straight into the database, as history is (the bench's seeder does the same at scale).</summary>
internal static class History
{
    private static long _next = DateTime.UtcNow.Ticks % 1_000_000_000;

    public static string NewMachine() => $"7{Interlocked.Increment(ref _next) % 10_000_000:D7}";

    public static string NewTradeId(DateTimeOffset at) => $"{at.UtcDateTime:yyyyMMddHHmmss}{Interlocked.Increment(ref _next) % 1_000_000_000_000:D12}";

    /// <summary>Inserts a trade with one line; returns its id.</summary>
    public static async Task<string> TradeAsync(NpgsqlConnection connection, string machineNo, DateTimeOffset at, string status = "completed",
        string lineStatus = "dispensed", DateTimeOffset? updatedAt = null)
    {
        var tradeId = NewTradeId(at);
        await ExecuteAsync(connection, """
            INSERT INTO trades (trade_id, kind, machine_no, status, amount_fen, currency, created_at, updated_at)
            VALUES ($1, 'purchase', $2, $3, 150, 'CNY', $4, $5);
            """, tradeId, machineNo, status, at, updatedAt ?? at);
        await ExecuteAsync(connection, """
            INSERT INTO trade_lines (trade_id, line_id, machine_no, product_id, name, price_fen, quantity, status)
            VALUES ($1, 1, $2, 1, 'Cola', 150, 1, $3)
            """, tradeId, machineNo, lineStatus);
        return tradeId;
    }

    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new() { Value = value });
        }

        await command.ExecuteNonQueryAsync();
    }

    public static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new() { Value = value });
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Counter rows that differ from a recount of the rows, written apart from the service's reconciler so the two
    /// cannot share a mistake. Zero when the counters are right.
    /// </summary>
    public static Task<long> CounterErrorsAsync(NpgsqlConnection connection) => ScalarAsync(connection, """
        WITH recount AS (SELECT machine_no, status, count(*) AS n FROM trades GROUP BY 1, 2),
        daily AS (SELECT (created_at AT TIME ZONE 'UTC')::date AS day, machine_no, status, count(*) AS n FROM trades GROUP BY 1, 2, 3),
        paid AS (SELECT (paid_at AT TIME ZONE 'UTC')::date AS day, provider, sum(coalesce(paid_fen, amount_fen)) AS fen
            FROM payments WHERE status = 'succeeded' AND paid_at IS NOT NULL GROUP BY 1, 2),
        refunded AS (SELECT (r.completed_at AT TIME ZONE 'UTC')::date AS day, p.provider, sum(r.amount_fen) AS fen
            FROM refunds r JOIN payments p ON p.trade_id = r.trade_id WHERE r.status = 'succeeded' AND r.completed_at IS NOT NULL GROUP BY 1, 2),
        counted_paid AS (SELECT day, provider, sum(fen) AS fen FROM money_daily WHERE kind = 'paid' GROUP BY 1, 2 HAVING sum(fen) <> 0),
        counted_refunded AS (SELECT day, provider, sum(fen) AS fen FROM money_daily WHERE kind = 'refunded' GROUP BY 1, 2 HAVING sum(fen) <> 0)
        SELECT (SELECT count(*) FROM ((SELECT * FROM recount EXCEPT SELECT machine_no, status, count FROM trade_counts WHERE count <> 0)
                UNION ALL (SELECT machine_no, status, count FROM trade_counts WHERE count <> 0 EXCEPT SELECT * FROM recount)) a)
             + (SELECT count(*) FROM ((SELECT * FROM daily EXCEPT SELECT day, machine_no, status, count FROM trade_counts_daily WHERE count <> 0)
                UNION ALL (SELECT day, machine_no, status, count FROM trade_counts_daily WHERE count <> 0 EXCEPT SELECT * FROM daily)) b)
             + (SELECT count(*) FROM ((SELECT * FROM paid EXCEPT SELECT * FROM counted_paid) UNION ALL (SELECT * FROM counted_paid EXCEPT SELECT * FROM paid)) c)
             + (SELECT count(*) FROM ((SELECT * FROM refunded EXCEPT SELECT * FROM counted_refunded)
                UNION ALL (SELECT * FROM counted_refunded EXCEPT SELECT * FROM refunded)) d)
        """);
}

/// <summary>An API on its own database, and a connection to that database for writing history and reading counters.</summary>
public abstract class StackWithDatabase(IDictionary<string, string?>? settings = null) : IAsyncLifetime
{
    protected Stack Host { get; private set; } = null!;

    protected NpgsqlConnection Db { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await Stack.StartAsync(settings);
        Db = new NpgsqlConnection(Host.ConnectionString);
        await Db.OpenAsync();
    }

    public async Task DisposeAsync()
    {
        await Db.DisposeAsync();
        await Host.DisposeAsync();
    }
}

/// <summary>Ops search by keyset (API.md, decision 0023).</summary>
public sealed class OpsSearchTests : StackWithDatabase
{

    [Fact]
    public async Task Following_next_cursor_while_trades_arrive_returns_every_earlier_trade_once()
    {
        var machine = History.NewMachine();
        var start = DateTimeOffset.UtcNow.AddMinutes(-30);
        var before = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            // Pairs share a created_at, so the trade_id half of the cursor is what keeps them apart.
            before.Add(await History.TradeAsync(Db, machine, start.AddSeconds(i / 2)));
        }

        using var stop = new CancellationTokenSource();
        var arriving = Task.Run(async () =>
        {
            await using var writer = new NpgsqlConnection(Host.ConnectionString);
            await writer.OpenAsync();
            var n = 0;
            for (; n < 500 && !stop.IsCancellationRequested; n++)
            {
                await History.TradeAsync(writer, machine, DateTimeOffset.UtcNow);
            }

            return n;
        });

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Host.Api.Ops.GetFromJsonAsync<TradePage>(
                $"/api/v1/ops/trades?machine_no={machine}&to={Uri.EscapeDataString(start.AddMinutes(5).ToString("O"))}&limit=7"
                + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"), Stack.Json);
            seen.AddRange(page!.Items.Select(t => t.TradeId));
            cursor = page.NextCursor;
            await History.TradeAsync(Db, machine, DateTimeOffset.UtcNow);
        }
        while (cursor is not null && ++pages < 50);

        await stop.CancelAsync();
        var inserted = await arriving;

        inserted.ShouldBeGreaterThan(0);
        seen.Count.ShouldBe(before.Count);
        seen.Distinct().Count().ShouldBe(seen.Count);
        seen.ShouldBe(before.AsEnumerable().Reverse());
    }

    [Fact]
    public async Task Without_a_range_the_newest_pages_show_new_trades_and_the_walk_ends_on_the_oldest()
    {
        var machine = History.NewMachine();
        var start = DateTimeOffset.UtcNow.AddMinutes(-10);
        var before = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            before.Add(await History.TradeAsync(Db, machine, start.AddSeconds(i)));
        }

        var first = await Host.Api.Ops.GetFromJsonAsync<TradePage>($"/api/v1/ops/trades?machine_no={machine}&limit=10", Stack.Json);
        var newer = await History.TradeAsync(Db, machine, DateTimeOffset.UtcNow);
        var rest = new List<string>();
        var cursor = first!.NextCursor;
        for (var pages = 0; cursor is not null && pages < 10; pages++)
        {
            var page = await Host.Api.Ops.GetFromJsonAsync<TradePage>(
                $"/api/v1/ops/trades?machine_no={machine}&limit=10&cursor={Uri.EscapeDataString(cursor)}", Stack.Json);
            rest.AddRange(page!.Items.Select(t => t.TradeId));
            cursor = page.NextCursor;
        }

        var again = await Host.Api.Ops.GetFromJsonAsync<TradePage>($"/api/v1/ops/trades?machine_no={machine}&limit=10", Stack.Json);

        first.Items.Count.ShouldBe(10);
        first.Total.ShouldBe(25);
        first.TotalEstimate.ShouldBeNull();
        first.Page.ShouldBeNull();
        first.Items.Select(t => t.TradeId).Concat(rest).ShouldBe(before.AsEnumerable().Reverse());
        again!.Items[0].TradeId.ShouldBe(newer);
        again.Total.ShouldBe(26);
    }

    [Fact]
    public async Task Pages_by_number_work_for_the_first_hundred_and_agree_with_the_cursor()
    {
        var machine = History.NewMachine();
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        for (var i = 0; i < 9; i++)
        {
            await History.TradeAsync(Db, machine, start.AddSeconds(i), status: i % 3 == 0 ? "cancelled" : "completed");
        }

        var byCursor = await Host.Api.Ops.GetFromJsonAsync<TradePage>($"/api/v1/ops/trades?machine_no={machine}&status=completed&limit=2", Stack.Json);
        var second = await Host.Api.Ops.GetFromJsonAsync<TradePage>(
            $"/api/v1/ops/trades?machine_no={machine}&status=completed&limit=2&cursor={Uri.EscapeDataString(byCursor!.NextCursor!)}", Stack.Json);
        var page2 = await Host.Api.Ops.GetFromJsonAsync<TradePage>($"/api/v1/ops/trades?machine_no={machine}&status=completed&limit=2&page=2", Stack.Json);
        var last = await Host.Api.Ops.GetFromJsonAsync<TradePage>($"/api/v1/ops/trades?machine_no={machine}&status=completed&limit=2&page=3", Stack.Json);
        var page100 = await Host.Api.Ops.GetAsync("/api/v1/ops/trades?page=100");
        var page101 = await Host.Api.Ops.GetAsync("/api/v1/ops/trades?page=101");

        byCursor.Total.ShouldBe(6);
        page2!.Page.ShouldBe(2);
        page2.Items.Select(t => t.TradeId).ShouldBe(second!.Items.Select(t => t.TradeId));
        last!.Items.Count.ShouldBe(2);
        page100.StatusCode.ShouldBe(HttpStatusCode.OK);
        page101.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await page101.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString().ShouldBe("use_cursor");
    }

    [Theory]
    [InlineData("cursor=not-a-cursor")]
    [InlineData("cursor=%3D%3D%3D")]
    [InlineData("cursor=MS45OTk5OTk5OTk5OTk5OTk5OTkuMQ")] // 1.<µs past DateTimeOffset.MaxValue>.1
    [InlineData("cursor=Mi4xLjE")] // a version this service never wrote
    [InlineData("cursor=MS4tNS4x")] // a negative time
    [InlineData("cursor=MS4xLjEyYQ")] // a trade id with a letter
    [InlineData("cursor=MS4xLjE&page=2")]
    [InlineData("limit=0")]
    [InlineData("limit=201")]
    [InlineData("limit=many")]
    [InlineData("page=0")]
    public async Task A_cursor_or_limit_this_service_never_gave_out_is_a_400(string query)
    {
        var response = await Host.Api.Ops.GetAsync($"/api/v1/ops/trades?{query}");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString().ShouldBe("validation_failed");
    }

    [Fact]
    public async Task Past_ten_thousand_matches_the_total_is_an_estimate()
    {
        var machine = History.NewMachine();
        await History.ExecuteAsync(Db, """
            INSERT INTO trades (trade_id, kind, machine_no, status, amount_fen, currency, created_at, updated_at)
            SELECT '99' || lpad(i::text, 18, '0') || $2, 'purchase', $1, 'expired', 100, 'CNY', now() - i * interval '1 s', now()
            FROM generate_series(1, 10001) AS i
            """, machine, machine);

        var page = await Host.Api.Ops.GetFromJsonAsync<TradePage>($"/api/v1/ops/trades?machine_no={machine}", Stack.Json);
        var ranged = await Host.Api.Ops.GetFromJsonAsync<TradePage>(
            $"/api/v1/ops/trades?machine_no={machine}&from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(-1).ToString("O"))}", Stack.Json);

        page!.Total.ShouldBeNull();
        page.TotalEstimate.ShouldBe(10001);
        page.Items.Count.ShouldBe(50);
        ranged!.Total.ShouldBeNull();
        ranged.TotalEstimate.ShouldNotBeNull().ShouldBeGreaterThan(0);
    }
}

/// <summary>The summary's counters (decision 0023): kept in the transaction of the rows, proved by a recount.</summary>
public sealed class CounterTests : StackWithDatabase
{

    [Fact]
    public async Task The_summary_counts_trades_and_money_of_today_from_the_counters()
    {
        var machine = await Host.Simulator.CreateMachineAsync(products: 1);
        var paid = await Host.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        var cancelled = await Host.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        (await Host.Api.Storefront.PostAsync($"/api/v1/trades/{cancelled.TradeId}/cancel", null)).EnsureSuccessStatusCode();
        await Host.PayAsync(paid.TradeId);
        await Host.WaitForAsync(paid.TradeId, TimeSpan.FromSeconds(45), "completed");
        // Yesterday's settled trade is history: counted overall, not in the machine's view of today.
        await History.TradeAsync(Db, machine.MachineNo, DateTimeOffset.UtcNow.AddDays(-2), status: "expired", lineStatus: "cancelled");

        var summary = await Host.Api.Ops.GetFromJsonAsync<Summary>("/api/v1/ops/summary", Stack.Json);

        var view = summary!.Machines.Single(m => m.MachineNo == machine.MachineNo);
        view.TradesByStatus.ShouldBe(new Dictionary<string, int> { ["completed"] = 1, ["cancelled"] = 1 }, ignoreOrder: true);
        summary.TradesByStatus["expired"].ShouldBeGreaterThanOrEqualTo(1);
        summary.TradesByStatus["completed"].ShouldBeGreaterThanOrEqualTo(1);
        BenchFen(summary.Today.ByProvider["sandbox"].Paid).ShouldBeGreaterThanOrEqualTo(BenchFen(paid.Amount));
        (await History.CounterErrorsAsync(Db)).ShouldBe(0);
    }

    [Fact]
    public async Task The_reconcile_counters_job_finds_and_corrects_a_counter_that_drifted()
    {
        var machine = History.NewMachine();
        await History.TradeAsync(Db, machine, DateTimeOffset.UtcNow.AddDays(-3));
        await History.TradeAsync(Db, machine, DateTimeOffset.UtcNow, status: "paid", lineStatus: "pending");
        await History.ExecuteAsync(Db, "UPDATE trade_counts SET count = count + 5 WHERE machine_no = $1 AND status = 'completed'", machine);
        await History.ExecuteAsync(Db, "DELETE FROM trade_counts_daily WHERE machine_no = $1 AND status = 'paid'", machine);
        await History.ExecuteAsync(Db, "INSERT INTO money_daily VALUES (current_date, 'sandbox', 'paid', 3, 12345) ON CONFLICT (day, provider, kind, shard) DO UPDATE SET fen = money_daily.fen + 12345");
        var drifted = await History.CounterErrorsAsync(Db);

        await History.ExecuteAsync(Db, """
            INSERT INTO jobs (kind, status, run_at, deadline, attempts, created_at, updated_at)
            VALUES ('reconcile_counters', 'pending', now(), now() + interval '1 hour', 0, now(), now())
            """);
        var done = await BenchWaitAsync(async () => await History.ScalarAsync(Db,
            "SELECT count(*) FROM jobs WHERE kind = 'reconcile_counters' AND status = 'pending' AND run_at <= now()") == 0);
        var reconciler = (CounterReconciler)Host.Api.Services.GetService(typeof(CounterReconciler))!;
        var again = await reconciler.ReconcileAsync(CancellationToken.None);

        drifted.ShouldBeGreaterThan(0);
        done.ShouldBeTrue();
        (await History.CounterErrorsAsync(Db)).ShouldBe(0);
        again.Agreed.ShouldBeTrue();
        (await History.ScalarAsync(Db, "SELECT count(*) FROM jobs WHERE kind = 'reconcile_counters' AND status = 'failed'")).ShouldBe(0);
    }

    private static long BenchFen(string money) => (long)(decimal.Parse(money, System.Globalization.CultureInfo.InvariantCulture) * 100);

    private static async Task<bool> BenchWaitAsync(Func<Task<bool>> done)
    {
        for (var i = 0; i < 300; i++)
        {
            if (await done())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }
}

/// <summary>A process killed while trades change leaves counters equal to the rows (the trigger commits with them or not at all).</summary>
public sealed class CounterCrashTests : IAsyncLifetime
{
    private SimulatorHost _simulator = null!;
    private Dictionary<string, string?> _settings = null!;
    private string _database = null!;

    public async Task InitializeAsync()
    {
        _database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("counters_crash");
        _simulator = await SimulatorHost.StartAsync();
        _settings = ApiTestSettings.For(_database, _simulator.BaseUrl, MerchantHost.StorefrontKey, MerchantHost.OpsKey, MerchantHost.NotifySecret,
            new Dictionary<string, string?>
            {
                ["Jobs:Lease"] = "00:00:05",
                ["RateLimits:AnonymousPerSecond"] = "100000",
                ["RateLimits:PerKeyPerSecond"] = "100000",
            });
    }

    public async Task DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task Counters_equal_a_recount_after_the_api_is_killed_mid_load_and_after_it_finishes_the_work()
    {
        var machines = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _simulator.CreateMachineAsync(products: 2)));

        var port = ApiProcess.FreePort();
        var first = await ApiProcess.StartAsync(_settings, port);
        using var client = new HttpClient { BaseAddress = new Uri(first.BaseUrl), Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Add("X-Api-Key", MerchantHost.StorefrontKey);
        using var stop = new CancellationTokenSource();
        var sent = 0;
        var load = Enumerable.Range(0, 6).Select(worker => Task.Run(async () =>
        {
            for (var n = 0; n < 200 && !stop.IsCancellationRequested; n++)
            {
                try
                {
                    var machine = machines[(worker + n) % machines.Length];
                    using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/checkouts")
                    {
                        Content = JsonContent.Create(new
                        {
                            machine_no = machine.MachineNo,
                            items = new[] { new { product_id = machine.Products[n % 2].ProductId, quantity = 1 + (n % 2) } },
                        }),
                    };
                    request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
                    using var response = await client.SendAsync(request, stop.Token);
                    var trade = JsonSerializer.Deserialize<Trades.TradeResponse>(await response.Content.ReadAsStringAsync(stop.Token), Stack.Json)!;
                    using var pay = await client.PostAsJsonAsync($"/api/v1/sandbox/trades/{trade.TradeId}/pay",
                        new { outcome = n % 5 == 0 ? "failed" : "success" }, stop.Token);
                    if (n % 7 == 0)
                    {
                        using var cancel = await client.PostAsync($"/api/v1/trades/{trade.TradeId}/cancel", null, stop.Token);
                    }

                    Interlocked.Increment(ref sent);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or NullReferenceException)
                {
                    // The API died under us: that is the point.
                }
            }
        })).ToArray();

        for (var i = 0; i < 200 && Volatile.Read(ref sent) < 40; i++)
        {
            await Task.Delay(100);
        }

        await first.KillAsync();
        await stop.CancelAsync();
        await Task.WhenAll(load);
        await using var db = new NpgsqlConnection(_database);
        await db.OpenAsync();
        var afterKill = await History.CounterErrorsAsync(db);
        var trades = await History.ScalarAsync(db, "SELECT count(*) FROM trades");
        await using var second = await ApiProcess.StartAsync(_settings, port);
        var settled = false;
        for (var i = 0; i < 600 && !settled; i++)
        {
            settled = await History.ScalarAsync(db, "SELECT count(*) FROM jobs WHERE status = 'pending' AND run_at <= now()") == 0;
            await Task.Delay(100);
        }

        var afterRestart = await History.CounterErrorsAsync(db);
        var moved = await History.ScalarAsync(db, "SELECT count(*) FROM trades WHERE status <> 'awaiting_payment' AND status <> 'created'");

        trades.ShouldBeGreaterThan(20);
        moved.ShouldBeGreaterThan(0);
        afterKill.ShouldBe(0);
        settled.ShouldBeTrue();
        afterRestart.ShouldBe(0);
    }
}

/// <summary>Retention (API.md Retention:*): history of settled trades goes, money records and unsettled trades' events stay.</summary>
public sealed class RetentionTests() : StackWithDatabase(new Dictionary<string, string?> { ["Retention:BatchSize"] = "10" })
{

    [Fact]
    public async Task Only_the_history_of_settled_trades_past_the_windows_is_deleted_and_never_a_money_record()
    {
        var machine = History.NewMachine();
        var old = DateTimeOffset.UtcNow.AddDays(-200);
        var settled = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            settled.Add(await History.TradeAsync(Db, machine, old.AddMinutes(i)));
        }

        var dispensing = await History.TradeAsync(Db, machine, old, status: "dispensing", lineStatus: "dispensing");
        var attention = await History.TradeAsync(Db, machine, old, status: "completed", lineStatus: "needs_attention");
        var refunding = await History.TradeAsync(Db, machine, old, status: "partially_refunded", lineStatus: "refunding");
        var waiting = await History.TradeAsync(Db, machine, old, status: "completed");
        var recent = await History.TradeAsync(Db, machine, DateTimeOffset.UtcNow.AddDays(-10));
        var settledLately = await History.TradeAsync(Db, machine, old, updatedAt: DateTimeOffset.UtcNow.AddDays(-1));
        var kept = new[] { dispensing, attention, refunding, waiting, settledLately };
        var all = settled.Concat(kept).Append(recent).ToArray();
        foreach (var id in all)
        {
            var at = id == recent ? DateTimeOffset.UtcNow.AddDays(-10) : old;
            await History.ExecuteAsync(Db, """
                INSERT INTO trade_events (trade_id, at, kind, actor, summary) SELECT $1, $2, 'transition', 'worker', 'step ' || s FROM generate_series(1, 3) s;
                """, id, at);
            await History.ExecuteAsync(Db, "INSERT INTO platform_callbacks (trade_id, received_at, body, processed_at, outcome) VALUES ($1, $2, '{}', $2, 'applied')", id, at);
            await History.ExecuteAsync(Db, """
                INSERT INTO jobs (kind, trade_id, status, run_at, deadline, attempts, created_at, updated_at)
                VALUES ('dispense_line', $1, 'done', $2, $2, 1, $2, $2)
                """, id, at);
            await History.ExecuteAsync(Db, """
                INSERT INTO payments (trade_id, provider, provider_payment_id, status, amount_fen, created_at, paid_at, updated_at)
                VALUES ($1, 'sandbox', 'p' || $1, 'succeeded', 150, $2, $2, $2)
                """, id, at);
            await History.ExecuteAsync(Db, "INSERT INTO refunds (refund_key, trade_id, line_id, amount_fen, reason, status, created_at, completed_at) VALUES ('r' || $1, $1, 1, 150, 'test', 'succeeded', $2, $2)", id, at);
            await History.ExecuteAsync(Db, "INSERT INTO payment_notifications (provider, event_id, trade_id, raw, body, received_at, applied_at) VALUES ('sandbox', 'e' || $1, $1, '{}', '{}', $2, $2)", id, at);
        }

        // A job still to run keeps its trade's history: the trade is not done with.
        await History.ExecuteAsync(Db, """
            INSERT INTO jobs (kind, trade_id, status, run_at, deadline, attempts, created_at, updated_at)
            VALUES ('query_refund', $1, 'pending', now() + interval '1 day', now() + interval '2 days', 0, $2, $2)
            """, waiting, old);
        var money = await MoneyRowsAsync();
        long scheduled = 0;
        for (var i = 0; i < 150 && scheduled == 0; i++)
        {
            // The maintenance sweep keeps one retention job pending from its first pass on.
            scheduled = await History.ScalarAsync(Db, "SELECT count(*) FROM jobs WHERE kind = 'retention' AND status = 'pending'");
            await Task.Delay(100);
        }

        using var scope = Host.Api.Services.CreateScope();
        var run = await scope.ServiceProvider.GetRequiredService<RetentionJob>().RunAsync(CancellationToken.None);
        var second = await scope.ServiceProvider.GetRequiredService<RetentionJob>().RunAsync(CancellationToken.None);

        run.Events.ShouldBe(settled.Count * 3);
        run.Callbacks.ShouldBe(settled.Count);
        run.Jobs.ShouldBe(settled.Count);
        run.Finished.ShouldBeTrue();
        second.ShouldBe(new RetentionRun(0, 0, 0, true));
        foreach (var id in settled)
        {
            (await History.ScalarAsync(Db, "SELECT count(*) FROM trade_events WHERE trade_id = $1", id)).ShouldBe(0);
            (await History.ScalarAsync(Db, "SELECT count(*) FROM platform_callbacks WHERE trade_id = $1", id)).ShouldBe(0);
        }

        foreach (var id in kept.Append(recent))
        {
            (await History.ScalarAsync(Db, "SELECT count(*) FROM trade_events WHERE trade_id = $1", id)).ShouldBe(3, $"events of {id}");
            (await History.ScalarAsync(Db, "SELECT count(*) FROM platform_callbacks WHERE trade_id = $1", id)).ShouldBe(1);
        }

        (await MoneyRowsAsync()).ShouldBe(money);
        (await History.ScalarAsync(Db, "SELECT count(*) FROM trades WHERE machine_no = $1", machine)).ShouldBe(all.Length);
        scheduled.ShouldBe(1);
    }

    private async Task<long[]> MoneyRowsAsync() =>
    [
        await History.ScalarAsync(Db, "SELECT count(*) FROM trades"),
        await History.ScalarAsync(Db, "SELECT count(*) FROM trade_lines"),
        await History.ScalarAsync(Db, "SELECT count(*) FROM payments"),
        await History.ScalarAsync(Db, "SELECT count(*) FROM refunds"),
        await History.ScalarAsync(Db, "SELECT count(*) FROM payment_notifications"),
    ];
}
