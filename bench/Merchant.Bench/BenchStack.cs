using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Merchant.Testing;
using Npgsql;
using Vending.Platform.Simulator;
using Vending.Platform.Simulator.Control;

namespace Merchant.Bench;

/// <summary>
/// One benchmark's system: a fresh database on the throwaway PostgreSQL cluster, the simulator in this process,
/// N API processes (Release build, real processes) and optionally the baseline process, all on 127.0.0.1.
/// </summary>
public sealed class BenchStack : IAsyncDisposable
{
    public const string NotifySecret = "bench-notify-secret-0123456789abcdef";
    public const string StorefrontKey = "bench-storefront-key";
    public const string OpsKey = "bench-ops-key";
    public const string SandboxSecret = "bench-sandbox-secret";

    private static readonly byte[] NotifyKey = Encoding.UTF8.GetBytes(NotifySecret);
    private static readonly byte[] SandboxKey = Encoding.UTF8.GetBytes(SandboxSecret);
    private readonly List<IAsyncDisposable> _owned = [];

    private BenchStack(PostgresServer server, string connectionString, SimulatorHost simulator)
    {
        Server = server;
        ConnectionString = connectionString;
        Simulator = simulator;
    }

    public PostgresServer Server { get; }

    public string ConnectionString { get; }

    public SimulatorHost Simulator { get; }

    public List<ApiProcess> Apis { get; } = [];

    public ChildProcess? Baseline { get; private set; }

    /// <summary>API instances started through <see cref="ChildProcess"/> (whole output to a file), e.g. for profiling.</summary>
    public List<ChildProcess> LoggedApis { get; } = [];

    private static BenchStack? _shared;
    private bool _isShared;

    /// <summary>
    /// A fresh stack, or with --smoke one stack shared by every benchmark of the run (start-up is most of a smoke run's
    /// time); the benchmarks count everything as differences, so earlier benchmarks' rows do not disturb them.
    /// <paramref name="own"/>: a fresh stack even in a smoke run, for a benchmark that measures the whole database.
    /// </summary>
    public static async Task<BenchStack> StartAsync(string name, BenchSettings settings, Action<SimulatorOptions>? simulator = null, bool own = false)
    {
        if (!settings.Smoke || own)
        {
            return await StartNewAsync(name, settings, simulator);
        }

        if (_shared is null)
        {
            _shared = await StartNewAsync("smoke", settings, simulator);
            _shared._isShared = true;
        }

        return _shared;
    }

    public static async Task DisposeSharedAsync()
    {
        if (_shared is { } shared)
        {
            _shared = null;
            shared._isShared = false;
            await shared.DisposeAsync();
        }
    }

    private static async Task<BenchStack> StartNewAsync(string name, BenchSettings settings, Action<SimulatorOptions>? simulator)
    {
        var server = await PostgresServer.GetLocalAsync();
        var database = await server.CreateDatabaseAsync($"bench_{name}");
        // No pool size unless asked: the API runs with its own default, as in production (the baseline mirrors it).
        var connectionString = settings.PoolSize is { } size
            ? new NpgsqlConnectionStringBuilder(database) { MaxPoolSize = size }.ConnectionString
            : database;
        var sim = await SimulatorHost.StartAsync(o =>
        {
            o.Seed = false;
            simulator?.Invoke(o);
        });
        return new BenchStack(server, connectionString, sim);
    }

    private const string RuntimeReadyToRun = "DOTNET_ReadyToRun";

    public Dictionary<string, string?> ApiSettings(BenchSettings settings) => new()
    {
        ["ConnectionStrings:Merchant"] = ConnectionString,
        ["Platform:BaseUrl"] = Simulator.BaseUrl,
        ["Platform:AppId"] = SimulatorHost.AppId,
        ["Platform:AppSecret"] = SimulatorHost.AppSecret,
        ["Platform:AppKey"] = SimulatorHost.AppKey,
        ["Merchant:NotifySecret"] = NotifySecret,
        ["Auth:StorefrontKeys:0"] = StorefrontKey,
        ["Auth:OpsKeys:0"] = OpsKey,
        ["Payments:Sandbox:Secret"] = SandboxSecret,
        ["Serilog:MinimumLevel:Default"] = settings.ApiLogLevel,
        // As the production image (Dockerfile, decision 0026): the framework JIT-compiled, not its ReadyToRun code.
        // `--api-settings "DOTNET_ReadyToRun=1"` measures without it.
        [RuntimeReadyToRun] = "0",
        // As in production: ready only once warm (issue 14). `--api-settings "WarmUp:Enabled=false"` measures without it.
        ["WarmUp:Enabled"] = "true",
        // The load comes from one address and one key: the per-address and per-key limits (2,000 and 1,000 requests/s)
        // would measure the limiter, not the service. Production keeps its limits.
        ["RateLimits:AnonymousPerSecond"] = "1000000",
        ["RateLimits:PerKeyPerSecond"] = "1000000",
    };

    /// <summary>Makes <paramref name="count"/> API instances run on this database (the first alone, as it applies migrations).</summary>
    public async Task StartApisAsync(int count, BenchSettings settings)
    {
        if (Apis.Count >= count)
        {
            return;
        }

        var values = ApiSettings(settings);
        foreach (var (key, value) in settings.ExtraApiSettings)
        {
            values[key] = value;
        }

        // Start to /health/ready (migrations on the first, then the warm-up), the cost of DOTNET_ReadyToRun=0 included.
        var started = Stopwatch.GetTimestamp();
        if (Apis.Count == 0)
        {
            var first = await ApiProcess.StartAsync(values);
            Apis.Add(first);
            _owned.Add(first);
        }

        var rest = await Task.WhenAll(Enumerable.Range(Apis.Count, count - Apis.Count).Select(_ => ApiProcess.StartAsync(values)));
        foreach (var api in rest)
        {
            Apis.Add(api);
            _owned.Add(api);
        }

        Log($"{count} API instance(s): {string.Join(", ", Apis.Select(a => $"{a.BaseUrl} pid {a.Pid}"))}; ready {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s after start");
    }

    public async Task StartBaselineAsync(IReadOnlyList<BenchMachine> machines)
    {
        if (Baseline is not null)
        {
            await Baseline.DisposeAsync();
            _owned.Remove(Baseline);
        }

        var catalog = Path.Combine(Path.GetTempPath(), $"merchant-bench-catalog-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(catalog, JsonSerializer.Serialize(
            machines.ToDictionary(m => m.MachineNo, m => m.Products.Select(p => new { p.ProductId, p.Name, p.PriceFen }).ToList()),
            SimulatorHost.Json));
        Baseline = await ChildProcess.StartAsync("bench/Merchant.Bench.Baseline", new Dictionary<string, string?>
        {
            ["ConnectionStrings:Merchant"] = ConnectionString,
            ["Platform:BaseUrl"] = Simulator.BaseUrl,
            ["Platform:AppId"] = SimulatorHost.AppId,
            ["Platform:AppSecret"] = SimulatorHost.AppSecret,
            ["Platform:AppKey"] = SimulatorHost.AppKey,
            ["Merchant:NotifySecret"] = NotifySecret,
            ["Auth:StorefrontKey"] = StorefrontKey,
            ["Baseline:CatalogFile"] = catalog,
            // The service's runtime settings, so the ratio compares the work (see ApiSettings).
            [RuntimeReadyToRun] = "0",
        }, "/health");
        _owned.Add(Baseline);
        Log($"baseline: {Baseline.BaseUrl} pid {Baseline.Pid}");
    }

    /// <summary>One API instance whose whole output goes to <paramref name="outputFile"/> (ApiProcess keeps only its last 2,000 lines).</summary>
    public async Task<ChildProcess> StartLoggedApiAsync(BenchSettings settings, IDictionary<string, string?> extra, string outputFile)
    {
        var values = ApiSettings(settings);
        foreach (var (key, value) in extra)
        {
            values[key] = value;
        }

        var api = await ChildProcess.StartAsync("src/Merchant.Api", values, "/health/ready", "Testing", outputFile);
        LoggedApis.Add(api);
        _owned.Add(api);
        Log($"API (output to {outputFile}): {api.BaseUrl} pid {api.Pid}");
        return api;
    }

    /// <summary>Creates machines through /_sim with products of large stock (orders hold stock for 20 minutes).</summary>
    public async Task<IReadOnlyList<BenchMachine>> CreateMachinesAsync(int count, int products, int resultDelayMs, int? lockSeconds = null,
        int stock = 1_000_000)
    {
        var machines = new BenchMachine[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var request = new CreateMachineRequest(null, $"Bench {i}", "spring", true, true, false, lockSeconds, resultDelayMs,
                [.. Enumerable.Range(1, products).Select(p => new CreateProductRequest($"Product {p}", $"{p}.50", stock, stock, 1, true, null))]);
            using var response = await Simulator.Control.PostAsJsonAsync("/_sim/machines", request, SimulatorHost.Json, ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"creating a machine: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            }

            var view = (await response.Content.ReadFromJsonAsync<MachineView>(SimulatorHost.Json, ct))!;
            machines[i] = new BenchMachine(view.MachineNo,
                [.. view.Products.Select(p => new BenchProduct(p.ProductId, p.Name, Fen(p.Price)))]);
        });
        return machines;
    }

    public static HttpClient Client(string baseUrl, int connections)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseCookies = false,
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-Api-Key", StorefrontKey);
        return client;
    }

    public static byte[] CheckoutBody(BenchMachine machine, int lines)
    {
        // One item per product, wrapping round: `lines` items in all.
        var items = Enumerable.Range(0, lines)
            .GroupBy(i => machine.Products[i % machine.Products.Count].ProductId)
            .Select(g => new { product_id = g.Key, quantity = g.Count() });
        return JsonSerializer.SerializeToUtf8Bytes(new { machine_no = machine.MachineNo, items, customer_ref = "bench" });
    }

    /// <summary>POST /api/v1/checkouts; returns the status and, on 201, the trade.</summary>
    public static async Task<(int Status, BenchTrade? Trade)> CheckoutAsync(HttpClient client, byte[] body, bool parse, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/checkouts") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        using var response = await client.SendAsync(request, ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        if ((int)response.StatusCode != 201 || !parse)
        {
            return ((int)response.StatusCode, null);
        }

        using var json = JsonDocument.Parse(bytes);
        var root = json.RootElement;
        return (201, new BenchTrade(root.GetProperty("trade_id").GetString()!, root.GetProperty("machine_no").GetString()!,
            Fen(root.GetProperty("amount").GetString()!), client.BaseAddress!.ToString().TrimEnd('/')));
    }

    /// <summary>Checks out <paramref name="perMachine"/> trades at every machine, spread over the API instances.</summary>
    public async Task<List<BenchTrade>> CheckoutManyAsync(IReadOnlyList<BenchMachine> machines, int perMachine, int lines, int connections,
        IReadOnlyList<string>? baseUrls = null)
    {
        var clients = (baseUrls ?? [.. Apis.Select(a => a.BaseUrl)]).Select(u => Client(u, connections)).ToList();
        var work = Enumerable.Range(0, perMachine).SelectMany(_ => machines).Select((m, i) => (Machine: m, Index: i)).ToList();
        var trades = new BenchTrade?[work.Count];
        var failures = 0;
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = connections }, async (w, ct) =>
        {
            var (status, trade) = await CheckoutAsync(clients[w.Index % clients.Count], CheckoutBody(w.Machine, lines), parse: true, ct);
            if (trade is null)
            {
                Interlocked.Increment(ref failures);
                Log($"setup checkout failed: HTTP {status}");
            }

            trades[w.Index] = trade;
        });
        clients.ForEach(c => c.Dispose());
        if (failures > 0)
        {
            Log($"{failures} setup checkout(s) failed");
        }

        return [.. trades.Where(t => t is not null).Select(t => t!)];
    }

    /// <summary>Posts the sandbox provider's signed "payment succeeded" notification, as the provider would.</summary>
    public static async Task<int> NotifyPaidAsync(HttpClient client, BenchTrade trade, CancellationToken ct)
    {
        var body = JsonSerializer.Serialize(new { payment_id = $"sbx_{trade.TradeId}", trade_id = trade.TradeId, status = "succeeded", amount_fen = trade.AmountFen });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/payments/sandbox/notify")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Sandbox-Signature", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(SandboxKey, Encoding.UTF8.GetBytes(body))));
        using var response = await client.SendAsync(request, ct);
        await response.Content.ReadAsByteArrayAsync(ct);
        return (int)response.StatusCode;
    }

    /// <summary>POST /api/v1/sandbox/trades/{id}/pay: the sandbox plays the customer paying (its notification goes through a job).</summary>
    public static async Task<int> SandboxPayAsync(HttpClient client, BenchTrade trade, CancellationToken ct)
    {
        using var response = await client.PostAsync($"/api/v1/sandbox/trades/{trade.TradeId}/pay",
            new StringContent("{\"outcome\":\"success\"}", Encoding.UTF8, "application/json"), ct);
        await response.Content.ReadAsByteArrayAsync(ct);
        return (int)response.StatusCode;
    }

    /// <summary>The notify_url token of a trade: `{trade_id}.{base64url(HMAC-SHA256(secret, "notify:"+id)[..18])}`.</summary>
    public static string NotifyToken(string tradeId)
    {
        var mac = HMACSHA256.HashData(NotifyKey, Encoding.UTF8.GetBytes($"notify:{tradeId}"));
        return $"{tradeId}.{Convert.ToBase64String(mac.AsSpan(0, 18)).Replace('+', '-').Replace('/', '_')}";
    }

    public async Task<StateView> SimStateAsync() =>
        (await Simulator.Control.GetFromJsonAsync<StateView>("/_sim/state", SimulatorHost.Json))!;

    public async Task<CommandLogView> SimCommandsAsync() =>
        (await Simulator.Control.GetFromJsonAsync<CommandLogView>("/_sim/commands", SimulatorHost.Json))!;

    /// <summary>
    /// The simulator sweeps every unpaid order under its one lock every 10 ms (OrderLifecycle.ExpireDue), so thousands of
    /// unpaid orders from a checkout run slow every platform call and burn this process's CPU. Benchmarks that never pay
    /// shorten the unpaid-order lifetime (sim time) to keep that set small; the service does not notice.
    /// </summary>
    public async Task SetUnpaidOrderLifetimeAsync(TimeSpan lifetime)
    {
        using var response = await Simulator.Control.PutAsJsonAsync("/_sim/settings",
            new SettingsRequest(null, null, lifetime.TotalSeconds, null), SimulatorHost.Json);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Platform calls the simulator has answered, by endpoint name.</summary>
    public async Task<Dictionary<string, long>> SimRequestsAsync() =>
        (await Simulator.Control.GetFromJsonAsync<Dictionary<string, long>>("/_sim/requests", SimulatorHost.Json))!;

    public async Task<int> SimCommandCountAsync() => (await SimStateAsync()).Commands;

    /// <summary><paramref name="after"/> minus <paramref name="before"/>, key by key.</summary>
    public static Dictionary<string, long> Minus(IReadOnlyDictionary<string, long> after, IReadOnlyDictionary<string, long> before) =>
        after.Select(kv => (kv.Key, Value: kv.Value - before.GetValueOrDefault(kv.Key))).Where(kv => kv.Value != 0).ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <summary>Runs a `SELECT key, count(*) ... GROUP BY key`; <paramref name="tradeIds"/> binds to $1 when given.</summary>
    public async Task<Dictionary<string, long>> CountByAsync(string sql, string[]? tradeIds = null)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        if (tradeIds is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = tradeIds });
        }

        await using var reader = await command.ExecuteReaderAsync();
        var counts = new Dictionary<string, long>();
        while (await reader.ReadAsync())
        {
            counts[reader.IsDBNull(0) ? "null" : reader.GetString(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    public async ValueTask DisposeAsync()
    {
        if (_isShared)
        {
            return;
        }

        foreach (var owned in Enumerable.Reverse(_owned))
        {
            try
            {
                await owned.DisposeAsync();
            }
            catch (Exception e)
            {
                Log($"stopping: {e.Message}");
            }
        }

        await Simulator.DisposeAsync();
    }

    public static long Fen(string money)
    {
        var parts = money.Split('.');
        return (long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) * 100)
            + (parts.Length > 1 ? long.Parse(parts[1].PadRight(2, '0')[..2], System.Globalization.CultureInfo.InvariantCulture) : 0);
    }

    public static void Log(string message) =>
        Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss.fff}] {message}");

    /// <summary>Things that went wrong without an exception (failed requests, work never done); the smoke fails on any.</summary>
    public static ConcurrentQueue<string> Problems { get; } = new();

    public static void Problem(string message)
    {
        Problems.Enqueue(message);
        Log($"PROBLEM: {message}");
    }

    /// <summary>Waits until <paramref name="done"/> holds or the time runs out; returns whether it held.</summary>
    public static async Task<bool> WaitUntilAsync(Func<Task<bool>> done, TimeSpan within, TimeSpan? every = null)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < within)
        {
            if (await done())
            {
                return true;
            }

            await Task.Delay(every ?? TimeSpan.FromMilliseconds(200));
        }

        return await done();
    }
}

public sealed record BenchProduct(long ProductId, string Name, long PriceFen);

public sealed record BenchMachine(string MachineNo, IReadOnlyList<BenchProduct> Products);

public sealed record BenchTrade(string TradeId, string MachineNo, long AmountFen, string ApiBaseUrl);

public sealed class BenchSettings
{
    public string ApiLogLevel { get; init; } = "Warning";

    /// <summary>Npgsql `Maximum Pool Size` of the API and the baseline; null: the service's default (32).</summary>
    public int? PoolSize { get; init; }

    public bool Smoke { get; init; }

    public Dictionary<string, string?> ExtraApiSettings { get; init; } = [];

    /// <summary>`--api-settings "DOTNET_gcServer=0;Jobs:Concurrency=32"`: extra settings (environment variables) for the API processes.</summary>
    public static BenchSettings From(Args args) => new()
    {
        ApiLogLevel = args.Text("api-log-level", "Warning"),
        PoolSize = args.Int("pool-size", 0) is > 0 and var size ? size : null,
        Smoke = args.Flag("smoke"),
        ExtraApiSettings = args.Text("api-settings", "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => (string?)(p.Length > 1 ? p[1] : "")),
    };
}
