using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Merchant.Reliability.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Merchant.Reliability.Tests.Hostile;

/// <summary>
/// Seeded fuzzing of every public endpoint's body, headers and path parameters. Every answer must be a 4xx problem
/// (application/problem+json with a code), never a 5xx; nothing may be written (trades, lines, jobs, payments, refunds,
/// callbacks, timeline rows unchanged). GET cases marked "may accept" (odd but harmless queries) may also answer 2xx.
/// </summary>
[Collection("edges")]
public sealed class FuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    public const int Seed = 20261122;
    // A bound, not a speed: about 30 s on a quiet 2-core machine; a starved one still sends all 3000 cases.
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(5);

    private Rig _rig = null!;

    public async Task InitializeAsync() => _rig = await Rig.StartAsync(databasePrefix: "fuzz");

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task Thousands_of_hostile_requests_get_4xx_problems_and_write_nothing()
    {
        var machine = await _rig.Simulator.CreateMachineAsync(products: 2, pickupCodes: true);
        var seedTrade = await _rig.Shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1));
        var world = new World(machine.MachineNo, machine.Products[0].ProductId, seedTrade.TradeId);
        const int total = 3000;
        var cases = new CaseGenerator(new Random(Seed), world).Generate(total);
        var before = await HostileAnswers.CountRowsAsync(_rig.ConnectionString);
        var failures = new ConcurrentQueue<string>();
        var byStatus = new ConcurrentDictionary<int, int>();
        var sent = 0;
        var clock = Stopwatch.StartNew();

        using var anonymous = HostileAnswers.Client(_rig.Shop.Storefront.BaseAddress!);
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (fuzz, _) =>
        {
            if (clock.Elapsed > Budget)
            {
                return;
            }

            HttpResponseMessage response;
            try
            {
                response = await HostileAnswers.SendAsync(anonymous, fuzz.Build, fuzz.Oversized);
            }
            catch (HttpRequestException e) when (fuzz.Oversized)
            {
                // The server may close an oversized upload before the client finished sending it.
                byStatus.AddOrUpdate(-1, 1, (_, n) => n + 1);
                Interlocked.Increment(ref sent);
                output.WriteLine($"{fuzz.Name}: connection closed while sending ({e.HttpRequestError})");
                return;
            }

            using (response)
            {
                Interlocked.Increment(ref sent);
                var status = (int)response.StatusCode;
                byStatus.AddOrUpdate(status, 1, (_, n) => n + 1);
                var body = await response.Content.ReadAsStringAsync();
                var problem = HostileAnswers.Judge(fuzz.Path, fuzz.MayAccept, response, status, body);
                if (problem is not null)
                {
                    failures.Enqueue($"{fuzz.Name}: {fuzz.Method} {HostileAnswers.Shorten(fuzz.Path)} → {status} {response.Content.Headers.ContentType} {HostileAnswers.Shorten(body)} :: {problem}");
                }
            }
        });
        var after = await HostileAnswers.CountRowsAsync(_rig.ConnectionString);
        Figures.Add("fuzz.cases", sent);
        Figures.Note("fuzz", $"{sent} of {total} cases sent in {clock.Elapsed.TotalSeconds:0.0}s (seed {Seed}); statuses "
            + string.Join(", ", byStatus.OrderBy(s => s.Key).Select(s => $"{s.Key}:{s.Value}")) + $"; {failures.Count} failure(s)");
        output.WriteLine($"fuzz: {sent} of {total} cases sent in {clock.Elapsed.TotalSeconds:0.0}s, seed {Seed}");
        output.WriteLine("statuses: " + string.Join(", ", byStatus.OrderBy(s => s.Key).Select(s => $"{s.Key}:{s.Value}")));
        foreach (var failure in failures.Take(40))
        {
            output.WriteLine(failure);
        }

        sent.ShouldBeGreaterThan(2999);
        failures.ShouldBeEmpty($"{failures.Count} of {sent} hostile requests were not answered with a clean 4xx problem:\n"
            + string.Join("\n", failures.GroupBy(f => f[..f.IndexOf(':', StringComparison.Ordinal)]).Select(g => $"{g.Count()}× {g.First()}").Take(25)));
        after.ShouldBe(before, "a rejected request wrote rows");
        (await _rig.Shop.TradeAsync(seedTrade.TradeId)).Status.ShouldBe("awaiting_payment");
        await _rig.VerifyAsync(nameof(Thousands_of_hostile_requests_get_4xx_problems_and_write_nothing));
    }

    public sealed record World(string MachineNo, long ProductId, string TradeId);

    /// <summary>One hostile request. <see cref="MayAccept"/>: an odd GET that may legitimately answer 2xx (never 5xx).</summary>
    public sealed record FuzzCase(string Name, HttpMethod Method, string Path, string? Key, string? Body, string? ContentType,
        IReadOnlyList<(string Name, string Value)> Headers, bool MayAccept = false, bool Oversized = false)
    {
        public HttpRequestMessage Build() =>
            HostileAnswers.Request(Method, Path, Key, Headers, Body is null ? null : Encoding.UTF8.GetBytes(Body), ContentType);
    }

    /// <summary>Builds the cases from one seeded generator, round-robin over the families, so a seed reproduces a run.</summary>
    public sealed class CaseGenerator(Random random, World world)
    {
        private const string Json = "application/json";
        private static readonly string[] WeirdIds =
        [
            "0", "-1", "1", "00000000000000000000000000", "99999999999999999999999999999999999999", "1e10", "0x1F", "..", "%2e%2e", "%2F",
            "a%2Fb", "%00", "%25", "'%3B DROP TABLE trades;--", "%3Cscript%3E", "%E4%BA%A4%E6%98%93", "%F0%9F%98%80", "null", "undefined",
            "true", " ", "%20", "+", "~", "*", "trade", "20261122014815000000000001", "2026112201481500000000000X", "%EF%BC%91%EF%BC%92",
            "%C0%AF", "%FF", "a.b.c", "...", "-", "_", "%0A", "%0D%0A", "%09", "\\", "%5C", "\"", "%22",
        ];

        private static readonly string[] Malformed =
        [
            "", "{", "}", "[", "]", "{}", "[]", "null", "0", "-1", "\"text\"", "true", "{\"machine_no\":", "{'machine_no':'12345678'}",
            "{\"machine_no\":\"12345678\",}", "{\"machine_no\":\"12345678\" \"items\":[]}", "{\"items\":[{\"product_id\":1,\"quantity\":1}]",
            "/* comment */ {}", "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":1e999}", "\uFEFF{", "{\"machine_no\":\"\\u0000\"", "\u0000\u0001\u0002",
            "<xml/>", "machine_no=12345678&items=1", "{\"machine_no\":\"12345678\",\"items\":[{\"product_id\":1,\"quantity\":1}]}}",
            "{\"machine_no\":\"12345678\",\"items\":[{\"product_id\":1,\"quantity\":1}]]", "{\"\\ud800\":1}", "{\"machine_no\":\"\\ud800\"}",
        ];

        private static readonly string[] BadMachineNos =
        [
            "", " ", "abc", "1234", "12345", "1234567a", "12 345678", "１２３４５６７８", "١٢٣٤٥٦٧٨", "12345678\u0000", "-12345678", "+12345678",
            "1.2345678", "1e7", "0x1234567", "12345678901234567890123456789012345", "😀😀😀😀😀😀😀😀", "\u202E87654321", "null",
        ];

        private readonly List<Func<int, FuzzCase>> _families = [];

        /// <summary>Lazily, so the megabyte bodies exist one at a time; the order (and so each case) depends only on the seed.</summary>
        public IEnumerable<FuzzCase> Generate(int count)
        {
            _families.AddRange([
                CheckoutMalformed, CheckoutWrongTypes, CheckoutNumbers, CheckoutStrings, CheckoutTooMany, CheckoutContentType,
                CheckoutIdempotencyKey, CheckoutUnknownCatalog, PickupBodies, TradePaths, SandboxPay, MachineProducts, OpsPaths,
                OpsQueries, PlatformNotify, PaymentNotify, AuthHeaders, Oversized,
            ]);
            for (var i = 0; i < count; i++)
            {
                yield return _families[i % _families.Count](i);
            }
        }

        private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

        private string Key() => $"fuzz-{random.NextInt64():x}";

        private static List<(string, string)> Idem(string key) => [("Idempotency-Key", key)];

        private string ValidItems() => $"[{{\"product_id\":{world.ProductId},\"quantity\":1}}]";

        private FuzzCase Checkout(string name, string? body, string? contentType = Json, List<(string, string)>? headers = null,
            string? key = HostSettings.StorefrontKey) =>
            new(name, HttpMethod.Post, "/api/v1/checkouts", key, body, contentType, headers ?? Idem(Key()));

        private string RandomText(int length)
        {
            var builder = new StringBuilder(length);
            for (var i = 0; i < length; i++)
            {
                builder.Append(random.Next(6) switch
                {
                    0 => (char)random.Next(0x20, 0x7f),
                    1 => (char)random.Next(0x4e00, 0x9fff),
                    2 => (char)random.Next(0x0400, 0x04ff),
                    3 => (char)random.Next(0x0600, 0x06ff),
                    4 => '"',
                    _ => (char)random.Next(0x1, 0x20),
                });
            }

            return builder.ToString();
        }

        private static string Quote(string text) => JsonSerializer.Serialize(text);

        private FuzzCase CheckoutMalformed(int i) => Checkout($"checkout.malformed#{i}", random.Next(4) == 0 ? RandomText(random.Next(1, 200)) : Pick(Malformed));

        private FuzzCase CheckoutWrongTypes(int i)
        {
            string[] values = ["1", "-5", "true", "null", "[]", "{}", "\"x\"", "[\"12345678\"]", "1.5", "{\"$ref\":\"#\"}"];
            var body = random.Next(3) switch
            {
                0 => $"{{\"machine_no\":{Pick(values)},\"items\":{ValidItems()}}}",
                1 => $"{{\"machine_no\":\"{world.MachineNo}\",\"items\":{Pick(values)}}}",
                _ => $"{{\"machine_no\":\"{world.MachineNo}\",\"items\":[{{\"product_id\":{Pick(values)},\"quantity\":{Pick(values)}}}]}}",
            };
            // A body whose every field happens to be valid would be accepted: keep one field surely wrong.
            return Checkout($"checkout.types#{i}", body.Replace("\"quantity\":1}", "\"quantity\":[1]}", StringComparison.Ordinal));
        }

        private FuzzCase CheckoutNumbers(int i)
        {
            // Numbers in strings ("2") are refused like any other wrong type: the edge reads JSON strictly (ADR 0017).
            string[] productIds = ["0", "-1", "-9223372036854775808", "9223372036854775808", "1e30", "1.5", "-0", "18446744073709551616", "\"-12\""];
            string[] quantities = ["0", "-1", "11", "1000", "2147483648", "-2147483649", "1.0", "1e2", "99999999999999999999", "\"0\"", "\"2\"", "\"two\""];
            var body = random.Next(2) == 0
                ? $"{{\"machine_no\":\"{world.MachineNo}\",\"items\":[{{\"product_id\":{Pick(productIds)},\"quantity\":1}}]}}"
                : $"{{\"machine_no\":\"{world.MachineNo}\",\"items\":[{{\"product_id\":{world.ProductId},\"quantity\":{Pick(quantities)}}}]}}";
            return Checkout($"checkout.numbers#{i}", body);
        }

        private FuzzCase CheckoutStrings(int i)
        {
            var body = random.Next(3) switch
            {
                0 => $"{{\"machine_no\":{Quote(Pick(BadMachineNos))},\"items\":{ValidItems()}}}",
                1 => $"{{\"machine_no\":{Quote(new string('7', random.Next(33, 20_000)))},\"items\":{ValidItems()}}}",
                _ => $"{{\"machine_no\":\"{world.MachineNo}\",\"items\":{ValidItems()},\"customer_ref\":{Quote(RandomText(random.Next(65, 5000)))}}}",
            };
            return Checkout($"checkout.strings#{i}", body);
        }

        private FuzzCase CheckoutTooMany(int i)
        {
            var items = random.Next(3) switch
            {
                0 => string.Join(",", Enumerable.Repeat($"{{\"product_id\":{world.ProductId},\"quantity\":1}}", random.Next(21, 2000))),
                1 => string.Join(",", Enumerable.Repeat($"{{\"product_id\":{world.ProductId},\"quantity\":10}}", random.Next(3, 50))),
                _ => string.Join(",", Enumerable.Repeat("null", random.Next(1, 5))),
            };
            return Checkout($"checkout.too_many#{i}", $"{{\"machine_no\":\"{world.MachineNo}\",\"items\":[{items}]}}");
        }

        private FuzzCase CheckoutContentType(int i)
        {
            string?[] types = [null, "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                "application/octet-stream", "text/html", "image/png", "application/jsonx", "json", "*/*"];
            return Checkout($"checkout.content_type#{i}", $"{{\"machine_no\":\"{world.MachineNo}\",\"items\":{ValidItems()}}}", Pick(types));
        }

        private FuzzCase CheckoutIdempotencyKey(int i)
        {
            var valid = $"{{\"machine_no\":\"{world.MachineNo}\",\"items\":{ValidItems()}}}";
            return random.Next(5) switch
            {
                0 => Checkout($"checkout.idempotency_missing#{i}", valid, headers: []),
                1 => Checkout($"checkout.idempotency_empty#{i}", valid, headers: Idem(Pick(new[] { "", " ", "\t" }))),
                2 => Checkout($"checkout.idempotency_long#{i}", valid, headers: Idem(new string('k', random.Next(201, 4000)))),
                3 => Checkout($"checkout.idempotency_latin1#{i}", valid, headers: Idem("clé-ünïcödé-" + random.Next())),
                // Two values of the header, with a body that is refused anyway (the valid-body case is an edge test).
                _ => Checkout($"checkout.idempotency_duplicate#{i}", $"{{\"machine_no\":\"{world.MachineNo}\",\"items\":[]}}",
                    headers: [("Idempotency-Key", Key()), ("Idempotency-Key", Key())]),
            };
        }

        private FuzzCase CheckoutUnknownCatalog(int i) => random.Next(2) == 0
            ? Checkout($"checkout.unknown_machine#{i}", $"{{\"machine_no\":\"{random.Next(10_000_000, 60_000_000)}\",\"items\":{ValidItems()}}}")
            : Checkout($"checkout.unknown_product#{i}", $"{{\"machine_no\":\"{world.MachineNo}\",\"items\":[{{\"product_id\":{random.Next(1, 1000)},\"quantity\":1}}]}}");

        private FuzzCase PickupBodies(int i)
        {
            string[] codes = ["", "abc", "12", "a b c d", "code!", "😀😀😀😀", new string('9', 33), "１２３４５６", "12345\u0000", "<script>", "--;--"];
            var body = random.Next(4) switch
            {
                0 => Pick(Malformed),
                1 => $"{{\"machine_no\":\"{world.MachineNo}\",\"product_id\":{world.ProductId},\"code\":{Quote(Pick(codes))}}}",
                2 => $"{{\"machine_no\":{Quote(Pick(BadMachineNos))},\"product_id\":{world.ProductId},\"code\":\"123456\"}}",
                _ => $"{{\"machine_no\":\"{world.MachineNo}\",\"product_id\":{Pick(new[] { "0", "-3", "\"x\"", "1e40", "null" })},\"code\":\"123456\"}}",
            };
            return new($"pickup.body#{i}", HttpMethod.Post, "/api/v1/pickups", HostSettings.StorefrontKey, body,
                random.Next(8) == 0 ? "text/plain" : Json, random.Next(6) == 0 ? [] : Idem(Key()));
        }

        private FuzzCase TradePaths(int i)
        {
            var id = Pick(WeirdIds) + (random.Next(4) == 0 ? new string('9', random.Next(30, 3000)) : string.Empty);
            return random.Next(2) == 0
                ? new($"trade.get#{i}", HttpMethod.Get, $"/api/v1/trades/{id}", HostSettings.StorefrontKey, null, null, [], MayAccept: true)
                : new($"trade.cancel#{i}", HttpMethod.Post, $"/api/v1/trades/{id}/cancel", HostSettings.StorefrontKey, null, null, []);
        }

        private FuzzCase SandboxPay(int i)
        {
            string[] bodies = ["{\"outcome\":\"SUCCESS\"}", "{\"outcome\":\"paid\"}", "{\"outcome\":1}", "{\"outcome\":true}", "{\"outcome\":[\"success\"]}",
                "{\"outcome\":\"success\u0000\"}", "{\"outcome\":\"\"}", "{\"outcome\":\" success\"}", "{", "[]", "\"success\"", "{\"outcome\":{}}"];
            var real = random.Next(2) == 0;
            var path = real ? $"/api/v1/sandbox/trades/{world.TradeId}/pay" : $"/api/v1/sandbox/trades/{Pick(WeirdIds)}/pay";
            var body = real ? Pick(bodies) : Pick(bodies.Append("{\"outcome\":\"success\"}").ToArray());
            return new($"sandbox.pay#{i}", HttpMethod.Post, path, HostSettings.StorefrontKey, body, real && random.Next(5) == 0 ? "text/plain" : Json, []);
        }

        private FuzzCase MachineProducts(int i) =>
            new($"machines.products#{i}", HttpMethod.Get, $"/api/v1/machines/{Uri.EscapeDataString(Pick(BadMachineNos))}{Pick(new[] { "", "x" })}/products",
                HostSettings.StorefrontKey, null, null, [], MayAccept: true);

        private FuzzCase OpsPaths(int i)
        {
            var id = Pick(WeirdIds);
            string[] lines = ["0", "-1", "99999999999", "abc", "1.5", "%20", "2147483648"];
            return random.Next(4) switch
            {
                // A GET may answer 200 (" " resolves to the list itself); it must never 5xx nor write.
                0 => new($"ops.trade#{i}", HttpMethod.Get, $"/api/v1/ops/trades/{id}", HostSettings.OpsKey, null, null, [], MayAccept: true),
                1 => new($"ops.reconcile#{i}", HttpMethod.Post, $"/api/v1/ops/trades/{id}/reconcile", HostSettings.OpsKey, null, null, []),
                2 => new($"ops.refund_line#{i}", HttpMethod.Post,
                    random.Next(2) == 0 ? $"/api/v1/ops/trades/{id}/lines/1/refund" : $"/api/v1/ops/trades/{world.TradeId}/lines/{Pick(lines)}/refund",
                    HostSettings.OpsKey, null, null, []),
                _ => new($"ops.job_retry#{i}", HttpMethod.Post, $"/api/v1/ops/jobs/{Pick(lines.Append(id).ToArray())}/retry", HostSettings.OpsKey, null, null, []),
            };
        }

        private FuzzCase OpsQueries(int i)
        {
            string[] statuses = ["", "COMPLETED", "done", "dispensing%00", "%27", "needs attention", new string('s', 500)];
            string[] pages = ["abc", "-1", "0", "1.5", "2147483647", "2147483648", "99999999999", "1e3", "%00", "50000000", "42949673"];
            string[] times = ["notadate", "2026-13-45", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-01-01T00:00:00%2B08:00",
                "2026-01-01T00:00:00-05:00", "0001-01-01T00:00:00%2B14:00", "1", "2026-01-01T25:00:00Z", "%2B275760-09-13T00:00:00Z"];
            var query = random.Next(4) switch
            {
                0 => $"status={Pick(statuses)}",
                1 => $"page={Pick(pages)}",
                2 => $"from={Pick(times)}&to={Pick(times)}",
                _ => $"machine_no={Uri.EscapeDataString(Pick(BadMachineNos))}&page={Pick(pages)}",
            };
            return random.Next(8) == 0
                ? new($"ops.jobs_query#{i}", HttpMethod.Get, $"/api/v1/ops/jobs?status={Pick(statuses)}", HostSettings.OpsKey, null, null, [], MayAccept: true)
                : new($"ops.trades_query#{i}", HttpMethod.Get, $"/api/v1/ops/trades?{query}", HostSettings.OpsKey, null, null, [], MayAccept: true);
        }

        private FuzzCase PlatformNotify(int i)
        {
            var token = random.Next(5) switch
            {
                0 => $"{world.TradeId}.{Convert.ToBase64String(Enumerable.Range(0, 18).Select(_ => (byte)random.Next(256)).ToArray()).Replace('+', '-').Replace('/', '_')}",
                1 => $"{world.TradeId}.",
                2 => $".{world.TradeId}",
                3 => Pick(WeirdIds),
                _ => $"{world.TradeId}.{new string('A', random.Next(100, 3000))}",
            };
            string[] bodies = [$"{{\"method\":\"device.delivery.response\",\"order_id\":1,\"record_id\":1,\"deliver_status\":\"1\"}}", "{", "", RandomText(50)];
            string?[] types = [Json, "text/plain", "application/x-www-form-urlencoded", "application/xml", null];
            return new($"platform.notify#{i}", HttpMethod.Post, $"/api/v1/platform/notify/{token}", null, Pick(bodies), Pick(types), []);
        }

        private FuzzCase PaymentNotify(int i)
        {
            var provider = random.Next(3) == 0 ? Pick(new[] { "wechat", "SANDBOX2", "%00", "..", "sandbox%2F..", new string('p', 500) }) : "sandbox";
            var body = $"{{\"payment_id\":\"sbx_{world.TradeId}\",\"trade_id\":\"{world.TradeId}\",\"status\":\"succeeded\",\"amount_fen\":{random.Next()}}}";
            List<(string, string)> headers = random.Next(3) switch
            {
                0 => [],
                1 => [("X-Sandbox-Signature", "sha256=" + Convert.ToHexStringLower(Enumerable.Range(0, 32).Select(_ => (byte)random.Next(256)).ToArray()))],
                _ => [("X-Sandbox-Signature", Pick(new[] { "", "sha256=", "md5=abc", new string('f', 2000) }))],
            };
            return new($"payment.notify#{i}", HttpMethod.Post, $"/api/v1/payments/{provider}/notify", null,
                random.Next(4) == 0 ? Pick(Malformed) : body, Json, headers);
        }

        private FuzzCase AuthHeaders(int i)
        {
            // (A key with surrounding spaces is the key itself: HTTP trims optional whitespace around header values.)
            string[] keys = ["", " ", "wrong", HostSettings.StorefrontKey + "x", HostSettings.StorefrontKey.ToUpperInvariant(), "sha256:abc",
                new string('k', 4000), "ключ", "Bearer " + HostSettings.OpsKey];
            var key = Pick(keys);
            (HttpMethod method, string path) = Pick(new (HttpMethod, string)[]
            {
                (HttpMethod.Get, "/api/v1/machines"), (HttpMethod.Get, $"/api/v1/trades/{world.TradeId}"), (HttpMethod.Get, "/api/v1/ops/summary"),
                (HttpMethod.Post, "/api/v1/checkouts"), (HttpMethod.Post, $"/api/v1/trades/{world.TradeId}/cancel"),
                (HttpMethod.Post, $"/api/v1/sandbox/trades/{world.TradeId}/pay"), (HttpMethod.Get, "/api/v1/ops/jobs"),
            });
            // A storefront key on ops routes must be 403, not 200.
            var storefrontOnOps = random.Next(4) == 0;
            return new($"auth#{i}", method, storefrontOnOps ? "/api/v1/ops/summary" : path, storefrontOnOps ? HostSettings.StorefrontKey : key,
                method == HttpMethod.Post ? "{\"outcome\":\"success\"}" : null, method == HttpMethod.Post ? Json : null, Idem(Key()));
        }

        private FuzzCase Oversized(int i)
        {
            var filler = new string('x', 1024 * 1024 + random.Next(1, 64 * 1024));
            return random.Next(4) switch
            {
                0 => Checkout($"oversized.checkout#{i}", $"{{\"machine_no\":\"{world.MachineNo}\",\"items\":{ValidItems()},\"customer_ref\":\"{filler}\"}}") with { Oversized = true },
                1 => new($"oversized.pickup#{i}", HttpMethod.Post, "/api/v1/pickups", HostSettings.StorefrontKey, $"{{\"code\":\"{filler}\"}}", Json, Idem(Key()), Oversized: true),
                2 => new($"oversized.platform_notify#{i}", HttpMethod.Post, $"/api/v1/platform/notify/{world.TradeId}.x", null, filler[..(70 * 1024)], Json, [], Oversized: true),
                _ => new($"oversized.payment_notify#{i}", HttpMethod.Post, "/api/v1/payments/sandbox/notify", null, filler[..(70 * 1024)], Json, [], Oversized: true),
            };
        }
    }
}
