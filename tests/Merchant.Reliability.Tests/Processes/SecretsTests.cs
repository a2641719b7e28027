using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using Merchant.Reliability.Tests.Infrastructure;
using Merchant.Testing;
using Xunit.Abstractions;

namespace Merchant.Reliability.Tests.Processes;

/// <summary>
/// DESIGN §4: secrets (AppSecret, AppKey, API keys, notify secret, the notify URL tokens) never appear in logs or answers.
/// A whole purchase — with a refund, a cancel, callbacks, ops views, the metrics scrape, refusals and an internal error on the notify route —
/// runs against the API as a process whose stdout/stderr is captured, with every secret a distinctive string.
/// </summary>
[Collection("processes")]
public sealed class SecretsTests(ITestOutputHelper output)
{
    private const string AppSecret = "S3cr3t-AppSecret-q8w7e6";
    private const string AppKey = "S3cr3t-AppKey-z1x2c3";
    private const string NotifySecret = "S3cr3t-NotifySecret-m4n5b6";
    private const string SandboxSecret = "S3cr3t-Sandbox-p0o9i8";
    private const string StorefrontKey = "S3cr3t-Storefront-u7y6t5";
    private const string OpsKey = "S3cr3t-Ops-r4e3w2";

    public static TheoryData<string, Dictionary<string, string?>> Levels => new()
    {
        // As shipped: the service's own levels (Information, framework noise at Warning).
        { "shipped", new Dictionary<string, string?> { ["Serilog:MinimumLevel:Default"] = "Information" } },
        // What an operator turns on to debug an incident: everything at Debug, framework included.
        {
            "debug", new Dictionary<string, string?>
            {
                ["Serilog:MinimumLevel:Default"] = "Debug",
                ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Debug",
                ["Serilog:MinimumLevel:Override:Microsoft.EntityFrameworkCore"] = "Debug",
                ["Serilog:MinimumLevel:Override:System.Net.Http.HttpClient"] = "Debug",
            }
        },
    };

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task No_secret_or_notify_token_appears_in_logs_or_answers(string level, Dictionary<string, string?> logging)
    {
        var database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("secrets");
        await using var simulator = await SimulatorHost.StartAsync(o =>
        {
            o.AppSecret = AppSecret;
            o.AppKey = AppKey;
        });
        var settings = HostSettings.For(database, simulator.BaseUrl, logging);
        settings["Platform:AppSecret"] = AppSecret;
        settings["Platform:AppKey"] = AppKey;
        settings["Merchant:NotifySecret"] = NotifySecret;
        settings["Payments:Sandbox:Secret"] = SandboxSecret;
        settings["Auth:StorefrontKeys:0"] = StorefrontKey;
        settings["Auth:OpsKeys:0"] = OpsKey;
        await using var api = await ApiProcess.StartAsync(settings, outputLines: 500_000);
        var answers = new ConcurrentQueue<string>();
        using var storefront = Recording(api.BaseUrl, StorefrontKey, answers);
        using var ops = Recording(api.BaseUrl, OpsKey, answers);
        using var anonymous = Recording(api.BaseUrl, null, answers);
        var shop = new Shop(storefront, ops);
        var machine = await simulator.CreateMachineAsync(products: 3);
        await simulator.FailNextDispensesAsync(machine.MachineNo, 1);

        // A purchase with one failed item (refund), and a cancelled one.
        await storefront.GetAsync("/api/v1/machines");
        await storefront.GetAsync($"/api/v1/machines/{machine.MachineNo}/products");
        var bought = await shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1), (machine.Products[1].ProductId, 1));
        await shop.PayAsync(bought.TradeId);
        await shop.WaitForAsync(bought.TradeId, TimeSpan.FromSeconds(40), "partially_refunded");
        // The failed item's slot is out of sale now (slot health); the other one still sells.
        var cancelled = await shop.CheckoutOkAsync(machine.MachineNo, (machine.Products[1].ProductId, 1));
        await storefront.PostAsync($"/api/v1/trades/{cancelled.TradeId}/cancel", null);
        // Ops views, the API description, refusals.
        await ops.GetAsync($"/api/v1/ops/trades/{bought.TradeId}");
        await ops.GetAsync("/api/v1/ops/summary");
        await ops.GetAsync("/api/v1/ops/trades");
        await ops.GetAsync("/api/v1/ops/jobs?status=done");
        await ops.GetAsync("/openapi/v1.json");
        await storefront.GetAsync("/api/v1/ops/summary");
        await anonymous.GetAsync("/api/v1/machines");
        await anonymous.GetAsync("/openapi/v1.json");
        // Callbacks: the platform's own went to the notify URLs; add a forged one and one that fails inside
        // (a NUL byte PostgreSQL cannot store), so the error path logs too.
        var callbacks = await simulator.CallbacksAsync(machine.MachineNo);
        var notifyUrl = callbacks.First().Url;
        var token = notifyUrl[(notifyUrl.LastIndexOf('/') + 1)..];
        await anonymous.PostAsync($"/api/v1/platform/notify/{bought.TradeId}.forged", new StringContent("{}", Encoding.UTF8, "application/json"));
        await anonymous.PostAsync(new Uri(notifyUrl).PathAndQuery, new StringContent("{\"method\":\"device.delivery.response\",\"error_msg\":\"a\u0000b\"}", Encoding.UTF8, "application/json"));
        await anonymous.PostAsJsonAsync("/api/v1/payments/sandbox/notify", new { trade_id = bought.TradeId });
        // The Prometheus scrape is an answer too (its labels are checked with the rest), and must not name a trade.
        await anonymous.GetAsync("/metrics");
        var scrape = await ops.GetStringAsync("/metrics");
        await Task.Delay(500);

        var logs = api.Output;
        var secrets = new Dictionary<string, string>
        {
            ["Platform:AppSecret"] = AppSecret,
            ["Platform:AppKey"] = AppKey,
            ["Merchant:NotifySecret"] = NotifySecret,
            ["Payments:Sandbox:Secret"] = SandboxSecret,
            ["storefront API key"] = StorefrontKey,
            ["ops API key"] = OpsKey,
        };
        foreach (var url in callbacks.Select(c => c.Url).Distinct())
        {
            var mac = url[(url.LastIndexOf('.') + 1)..];
            secrets[$"notify token of {url[(url.LastIndexOf('/') + 1)..url.LastIndexOf('.')]}"] = mac;
        }

        var inLogs = secrets.Where(s => logs.Contains(s.Value, StringComparison.Ordinal)).ToList();
        var inAnswers = secrets.Where(s => answers.Any(a => a.Contains(s.Value, StringComparison.Ordinal))).ToList();
        foreach (var (name, value) in inLogs)
        {
            output.WriteLine($"[{level}] {name} in logs: " + string.Join(" ¶ ", logs.Split('\n').Where(l => l.Contains(value, StringComparison.Ordinal)).Take(3)));
        }

        foreach (var (name, value) in inAnswers)
        {
            output.WriteLine($"[{level}] {name} in an answer: " + answers.First(a => a.Contains(value, StringComparison.Ordinal)).ReplaceLineEndings(" "));
        }

        output.WriteLine($"[{level}] {logs.Split('\n').Length} log lines, {answers.Count} answers, {secrets.Count} secrets checked; token {token[..6]}…");
        Figures.Note($"secrets.{level}", $"{logs.Split('\n').Length} log lines, {answers.Count} answers, {secrets.Count} secrets; leaked in logs: "
            + (inLogs.Count == 0 ? "none" : string.Join(", ", inLogs.Select(s => s.Key))) + "; in answers: " + (inAnswers.Count == 0 ? "none" : string.Join(", ", inAnswers.Select(s => s.Key))));

        logs.Length.ShouldBeGreaterThan(0);
        callbacks.Count.ShouldBeGreaterThanOrEqualTo(2);
        inAnswers.ShouldBeEmpty("secrets in HTTP answers: " + string.Join(", ", inAnswers.Select(s => s.Key)));
        inLogs.ShouldBeEmpty("secrets in the API's logs: " + string.Join(", ", inLogs.Select(s => s.Key)));
        scrape.ShouldContain("http_server_request_duration_seconds_count");
        scrape.ShouldNotContain(bought.TradeId);
        scrape.ShouldNotContain(cancelled.TradeId);
    }

    private static HttpClient Recording(string baseUrl, string? key, ConcurrentQueue<string> answers)
    {
        var client = new HttpClient(new RecordingHandler(answers) { InnerHandler = new HttpClientHandler() })
        {
            BaseAddress = new Uri(baseUrl),
            Timeout = Shop.ProcessTimeout,
        };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        return client;
    }

    /// <summary>Keeps every answer's status line, headers and body.</summary>
    private sealed class RecordingHandler(ConcurrentQueue<string> answers) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            answers.Enqueue($"{(int)response.StatusCode} {response.Headers} {response.Content.Headers}\n{body}");
            response.Content = new StringContent(body, Encoding.UTF8, response.Content.Headers.ContentType?.MediaType ?? "application/json");
            return response;
        }
    }
}
