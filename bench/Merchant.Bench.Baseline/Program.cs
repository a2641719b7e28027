using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

// The limit for POST /api/v1/checkouts: the work a checkout cannot avoid, done the way the service must do it, with
// nothing in between — the same platform calls, the same rows, the same idempotency answers (issue 14: a baseline that
// does less than the service makes the ratio meaningless).
//   1. one round trip: claim the Idempotency-Key, insert the trade, its lines, the create-order job (marked sent) and
//      its timeline entry — durable before the platform is called, because create-order cannot be repeated safely;
//      a key already claimed is answered as the service does: the stored answer replayed, 422 idempotency_key_reused
//      for another body, 409 while the first request is in flight (one more round trip, only on that path);
//   2. the platform's create-order call (plain JSON POST /api/openapi/v1/orders with Appid/AppSecret headers), then
//      its query-order call (signed payload, CONTRACT §2) for the record ids the dispenser will need;
//   3. one round trip: trade → awaiting_payment with its order id, each line's platform record id, the payment and the
//      sandbox payment, the expiry job, the create-order job done, the timeline entries, and the idempotency record
//      completed with the response.
// Prices come from a catalog file the bench writes (a perfectly warm cache). No MVC, no EF, no logging. Same
// database, same connection pool settings as the service.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var configuration = builder.Configuration;
var dataSourceBuilder = new NpgsqlDataSourceBuilder(configuration.GetConnectionString("Merchant")
    ?? throw new InvalidOperationException("ConnectionStrings:Merchant is not set."));
// The same pool settings the service uses (MerchantDataSource): no reset on reuse, statements prepared once, and its
// pool size unless the bench names one (`--pool-size`).
dataSourceBuilder.ConnectionStringBuilder.NoResetOnClose = true;
dataSourceBuilder.ConnectionStringBuilder.MaxAutoPrepare = 64;
if (!dataSourceBuilder.ConnectionStringBuilder.Keys.Contains("Maximum Pool Size"))
{
    dataSourceBuilder.ConnectionStringBuilder.MaxPoolSize = 32;
}
var dataSource = dataSourceBuilder.Build();
var platformBase = (configuration["Platform:BaseUrl"] ?? throw new InvalidOperationException("Platform:BaseUrl is not set.")).TrimEnd('/');
var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan, MaxConnectionsPerServer = int.MaxValue })
{
    BaseAddress = new Uri(platformBase + "/api/openapi/v1/"),
    Timeout = TimeSpan.FromSeconds(10),
};
http.DefaultRequestHeaders.Add("Appid", configuration["Platform:AppId"]);
http.DefaultRequestHeaders.Add("AppSecret", configuration["Platform:AppSecret"]);
var appKey = configuration["Platform:AppKey"] ?? throw new InvalidOperationException("Platform:AppKey is not set.");
var notifyKey = Encoding.UTF8.GetBytes(configuration["Merchant:NotifySecret"] ?? throw new InvalidOperationException("Merchant:NotifySecret is not set."));
var storefrontKey = SHA256.HashData(Encoding.UTF8.GetBytes(configuration["Auth:StorefrontKey"] ?? throw new InvalidOperationException("Auth:StorefrontKey is not set.")));
var keyId = Convert.ToHexStringLower(storefrontKey)[..16];
var catalog = JsonSerializer.Deserialize<Dictionary<string, List<CatalogProduct>>>(
    File.ReadAllText(configuration["Baseline:CatalogFile"] ?? throw new InvalidOperationException("Baseline:CatalogFile is not set.")),
    new JsonSerializerOptions(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower })!
    .ToDictionary(m => m.Key, m => m.Value.ToDictionary(p => p.ProductId));

var app = builder.Build();
var publicBase = (configuration["Merchant:PublicBaseUrl"] ?? app.Urls.FirstOrDefault() ?? configuration["urls"] ?? "http://127.0.0.1").TrimEnd('/');
app.Use(async (context, next) =>
{
    try
    {
        await next(context);
    }
    catch (Exception e)
    {
        // No logging providers: failures (only) go to stderr, which the bench keeps.
        await Console.Error.WriteLineAsync($"{context.Request.Path}: {e}");
        throw;
    }
});
app.MapGet("/health", () => Results.Ok());
app.MapPost("/api/v1/checkouts", async (HttpContext context) =>
{
    var presented = context.Request.Headers["X-Api-Key"].ToString();
    if (presented.Length == 0 || !CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), storefrontKey))
    {
        return Results.Problem(statusCode: 401, title: "unauthorized");
    }

    var idempotencyKey = context.Request.Headers["Idempotency-Key"].ToString();
    if (idempotencyKey.Length == 0)
    {
        return Results.Problem(statusCode: 400, title: "idempotency_key_missing");
    }

    using var bodyStream = new MemoryStream();
    await context.Request.Body.CopyToAsync(bodyStream);
    var bodyBytes = bodyStream.ToArray();
    var request = JsonSerializer.Deserialize<CheckoutRequest>(bodyBytes, Wire.Options);
    if (request?.MachineNo is null || request.Items is not { Count: > 0 } || !catalog.TryGetValue(request.MachineNo, out var products))
    {
        return Results.Problem(statusCode: 422, title: "product_not_found");
    }

    var lines = new List<CatalogProduct>();
    foreach (var item in request.Items)
    {
        if (!products.TryGetValue(item.ProductId, out var product) || item.Quantity is < 1 or > 20)
        {
            return Results.Problem(statusCode: 422, title: "product_not_found");
        }

        lines.AddRange(Enumerable.Repeat(product, item.Quantity));
    }

    var now = DateTimeOffset.UtcNow;
    var amount = lines.Sum(l => l.PriceFen);
    var requestHash = Convert.ToHexStringLower(SHA256.HashData(bodyBytes));

    // Round trip 1.
    string tradeId;
    long jobId;
    await using (var connection = await dataSource.OpenConnectionAsync())
    await using (var batch = new NpgsqlBatch(connection))
    {
        batch.BatchCommands.Add(Command("""
            INSERT INTO idempotency_keys (scope, key, request_hash, status, created_at, locked_until)
            VALUES ($1, $2, $3, 'in_flight', $4, $5)
            """, keyId, idempotencyKey, requestHash, now, now.AddSeconds(60)));
        batch.BatchCommands.Add(Command("""
            WITH s AS (SELECT to_char($4 AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISS') || lpad((nextval('trade_id_seq') % 1000000000000)::text, 12, '0') AS id),
            t AS (INSERT INTO trades (trade_id, kind, machine_no, status, amount_fen, currency, customer_ref, created_at, updated_at)
                  SELECT id, 'purchase', $1, 'created', $2, 'CNY', $3, $4, $4 FROM s RETURNING trade_id),
            l AS (INSERT INTO trade_lines (trade_id, line_id, machine_no, product_id, name, price_fen, quantity, status)
                  SELECT t.trade_id, x.line_id, $1, x.product_id, x.name, x.price_fen, 1, 'pending'
                  FROM t, unnest($5::int[], $6::bigint[], $7::text[], $8::bigint[]) AS x(line_id, product_id, name, price_fen)),
            j AS (INSERT INTO jobs (kind, trade_id, status, run_at, deadline, attempts, lease_until, locked_by, sent_at, created_at, updated_at)
                  SELECT 'create_order', t.trade_id, 'pending', $4, $4 + interval '1 minute', 1, $4 + interval '60 seconds', 'checkout', $4, $4, $4
                  FROM t RETURNING job_id),
            e AS (INSERT INTO trade_events (trade_id, at, kind, actor, summary)
                  SELECT t.trade_id, $4, 'request', 'storefront', $9 FROM t)
            SELECT t.trade_id, j.job_id FROM t, j
            """,
            request.MachineNo, amount, (object?)request.CustomerRef ?? DBNull.Value, now,
            Enumerable.Range(1, lines.Count).ToArray(), lines.Select(l => l.ProductId).ToArray(),
            lines.Select(l => l.Name).ToArray(), lines.Select(l => l.PriceFen).ToArray(),
            $"checkout of {lines.Count} item(s) at machine {request.MachineNo}"));
        try
        {
            await using var reader = await batch.ExecuteReaderAsync();
            // Statements without a result set are skipped: the reader starts on the CTE's row.
            await reader.ReadAsync();
            tradeId = reader.GetString(0);
            jobId = reader.GetInt64(1);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return await RepeatAsync(dataSource, keyId, idempotencyKey, requestHash);
        }
    }

    // The platform call.
    var token = $"{tradeId}.{Convert.ToBase64String(HMACSHA256.HashData(notifyKey, Encoding.UTF8.GetBytes($"notify:{tradeId}")).AsSpan(0, 18)).Replace('+', '-').Replace('/', '_')}";
    var order = JsonSerializer.SerializeToUtf8Bytes(new
    {
        machine_no = request.MachineNo,
        notify_url = $"{publicBase}/api/v1/platform/notify/{token}",
        trade_id = tradeId,
        products = lines.Select(l => new { product_id = l.ProductId, quantity = 1 }),
    });
    var started = System.Diagnostics.Stopwatch.GetTimestamp();
    long orderId;
    using (var content = new ByteArrayContent(order))
    {
        content.Headers.ContentType = new("application/json");
        using var response = await http.PostAsync("orders", content);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        orderId = answer.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
            && data.TryGetProperty("order_id", out var id) ? id.GetInt64() : 0;
    }

    var tookMs = (int)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    if (orderId == 0)
    {
        return Results.Problem(statusCode: 503, title: "platform_unavailable");
    }

    // The query the service makes for the record ids (one per line, in the order asked).
    var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
    var sign = Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes($"machine_no={request.MachineNo}&timestamp={timestamp}&key={appKey}")));
    var payload = Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new { machine_no = request.MachineNo, sign, timestamp }));
    var recordIds = new long[lines.Count];
    using (var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(new { payload })))
    {
        content.Headers.ContentType = new("application/json");
        using var response = await http.PostAsync($"orders/{orderId}", content);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        if (!(answer.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
            && data.TryGetProperty("records", out var records) && records.GetArrayLength() == lines.Count))
        {
            return Results.Problem(statusCode: 503, title: "platform_unavailable");
        }

        var i = 0;
        foreach (var record in records.EnumerateArray())
        {
            var id = record.GetProperty("id");
            recordIds[i++] = id.ValueKind == JsonValueKind.String ? long.Parse(id.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : id.GetInt64();
        }
    }

    // Round trip 2.
    now = DateTimeOffset.UtcNow;
    var payBefore = now.AddMinutes(18);
    var responseBody = Wire.Trade(tradeId, request, lines, amount, orderId, now, payBefore);
    await using (var connection = await dataSource.OpenConnectionAsync())
    await using (var batch = new NpgsqlBatch(connection))
    {
        batch.BatchCommands.Add(Command("""
            UPDATE trades SET status = 'awaiting_payment', platform_order_id = $2, order_created_at = $3, pay_before = $4, updated_at = $3
            WHERE trade_id = $1
            """, tradeId, orderId, now, payBefore));
        batch.BatchCommands.Add(Command("""
            UPDATE trade_lines l SET platform_record_id = x.record_id
            FROM unnest($2::int[], $3::bigint[]) AS x(line_id, record_id)
            WHERE l.trade_id = $1 AND l.line_id = x.line_id
            """, tradeId, Enumerable.Range(1, lines.Count).ToArray(), recordIds));
        batch.BatchCommands.Add(Command("""
            INSERT INTO payments (trade_id, provider, provider_payment_id, status, amount_fen, created_at, updated_at)
            VALUES ($1, 'sandbox', 'sbx_' || $1, 'pending', $2, $3, $3)
            """, tradeId, amount, now));
        batch.BatchCommands.Add(Command("""
            INSERT INTO sandbox_payments (payment_id, trade_id, amount_fen, status, created_at, updated_at)
            VALUES ('sbx_' || $1, $1, $2, 'open', $3, $3)
            """, tradeId, amount, now));
        batch.BatchCommands.Add(Command("""
            INSERT INTO jobs (kind, trade_id, dedupe_key, status, run_at, deadline, attempts, created_at, updated_at)
            VALUES ('expire_trade', $1, 'expire:' || $1, 'pending', $2, $2 + interval '1 hour', 0, $3, $3)
            """, tradeId, payBefore, now));
        batch.BatchCommands.Add(Command("UPDATE jobs SET status = 'done', updated_at = $2 WHERE job_id = $1", jobId, now));
        batch.BatchCommands.Add(Command("""
            INSERT INTO trade_events (trade_id, at, kind, actor, summary, outcome, duration_ms) VALUES
              ($1, $2, 'platform_call', 'storefront', 'create order', 'order ' || $3::text, $4),
              ($1, $2, 'transition', 'storefront', 'trade: created → awaiting_payment (place_order)', NULL, NULL)
            """, tradeId, now, orderId, tookMs));
        batch.BatchCommands.Add(Command("""
            UPDATE idempotency_keys SET status = 'completed', trade_id = $3, response_status = 201, response_body = $4
            WHERE scope = $1 AND key = $2
            """, keyId, idempotencyKey, tradeId, Encoding.UTF8.GetString(responseBody)));
        await batch.ExecuteNonQueryAsync();
    }

    context.Response.StatusCode = 201;
    context.Response.ContentType = "application/json";
    context.Response.ContentLength = responseBody.Length;
    await context.Response.Body.WriteAsync(responseBody);
    return Results.Empty;
});
app.Run();

// A key claimed before: the service's answers (API.md), read back in one more round trip.
static async Task<IResult> RepeatAsync(NpgsqlDataSource dataSource, string scope, string key, string requestHash)
{
    await using var command = dataSource.CreateCommand(
        "SELECT request_hash, status, response_status, response_body FROM idempotency_keys WHERE scope = $1 AND key = $2");
    command.Parameters.Add(new NpgsqlParameter { Value = scope });
    command.Parameters.Add(new NpgsqlParameter { Value = key });
    await using var reader = await command.ExecuteReaderAsync();
    if (!await reader.ReadAsync())
    {
        return Results.Problem(statusCode: 409, title: "idempotency_request_in_flight");
    }

    if (reader.GetString(0) != requestHash)
    {
        return Results.Problem(statusCode: 422, title: "idempotency_key_reused");
    }

    return reader.GetString(1) == "completed" && !reader.IsDBNull(2)
        ? Results.Text(reader.GetString(3), "application/json", Encoding.UTF8, reader.GetInt32(2))
        : Results.Problem(statusCode: 409, title: "idempotency_request_in_flight");
}

static NpgsqlBatchCommand Command(string sql, params object[] values)
{
    var command = new NpgsqlBatchCommand(sql);
    foreach (var value in values)
    {
        command.Parameters.Add(value switch
        {
            string[] texts => new NpgsqlParameter { Value = texts, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
            _ => new NpgsqlParameter { Value = value },
        });
    }

    return command;
}

internal sealed record CatalogProduct(long ProductId, string Name, long PriceFen);

internal sealed record CheckoutItem(long ProductId, int Quantity);

internal sealed record CheckoutRequest(string? MachineNo, List<CheckoutItem>? Items, string? CustomerRef);

internal static class Wire
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static string Money(long fen) => $"{fen / 100}.{fen % 100:D2}";

    /// <summary>The same trade object the service answers (API.md), written directly.</summary>
    public static byte[] Trade(string tradeId, CheckoutRequest request, List<CatalogProduct> lines, long amount, long orderId,
        DateTimeOffset now, DateTimeOffset payBefore)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("trade_id", tradeId);
            json.WriteString("kind", "purchase");
            json.WriteString("machine_no", request.MachineNo);
            json.WriteString("status", "awaiting_payment");
            json.WriteString("amount", Money(amount));
            json.WriteString("refunded_amount", "0.00");
            json.WriteString("currency", "CNY");
            json.WriteNumber("platform_order_id", orderId);
            json.WriteString("created_at", now);
            json.WriteString("pay_before", payBefore);
            json.WriteStartObject("payment");
            json.WriteString("provider", "sandbox");
            json.WriteString("status", "pending");
            json.WriteString("payment_id", $"sbx_{tradeId}");
            json.WriteEndObject();
            json.WriteStartArray("lines");
            for (var i = 0; i < lines.Count; i++)
            {
                json.WriteStartObject();
                json.WriteNumber("line_id", i + 1);
                json.WriteNumber("product_id", lines[i].ProductId);
                json.WriteString("name", lines[i].Name);
                json.WriteString("price", Money(lines[i].PriceFen));
                json.WriteString("status", "pending");
                json.WriteEndObject();
            }

            json.WriteEndArray();
            if (request.CustomerRef is not null)
            {
                json.WriteString("customer_ref", request.CustomerRef);
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
