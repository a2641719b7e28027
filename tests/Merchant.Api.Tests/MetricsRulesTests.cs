using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Merchant.Api.Persistence;
using Merchant.Api.Telemetry;
using Merchant.Testing;
using YamlDotNet.RepresentationModel;

namespace Merchant.Api.Tests;

/// <summary>
/// One purchase with a refund, a refusal and a cancel, then one scrape of /metrics: the series every alert and dashboard
/// query reads, and what must never be in them.
/// </summary>
public sealed class ScrapedPurchase : IAsyncLifetime
{
    public Stack Stack { get; private set; } = null!;

    public Scrape Scrape { get; private set; } = null!;

    public List<string> TradeIds { get; } = [];

    public string NotifyMac { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Stack = await Stack.StartAsync();
        var machine = await Stack.Simulator.CreateMachineAsync(products: 3, stock: 5);
        await Stack.Simulator.FailNextDispensesAsync(machine.MachineNo, 1);
        var bought = await Stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[0].ProductId, 1), (machine.Products[1].ProductId, 1));
        await Stack.PayAsync(bought.TradeId);
        await Stack.WaitForAsync(bought.TradeId, TimeSpan.FromSeconds(45), "partially_refunded");
        // The failed line's slot is now in fault (and not sold): the rest goes to a slot nothing has failed on.
        var cancelled = await Stack.CheckoutOkAsync(machine.MachineNo, (machine.Products[2].ProductId, 1));
        (await Stack.Api.Storefront.PostAsync($"/api/v1/trades/{cancelled.TradeId}/cancel", null)).EnsureSuccessStatusCode();
        (await Stack.CheckoutAsync(machine.MachineNo, [(machine.Products[2].ProductId, 6)])).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        TradeIds.AddRange([bought.TradeId, cancelled.TradeId]);
        var url = (await Stack.Simulator.CallbacksAsync(machine.MachineNo)).First().Url;
        NotifyMac = url[(url.LastIndexOf('.') + 1)..];

        // The alert gauges appear with the maintenance loop's first sweep; the last request's duration after its answer.
        Scrape = await Scrape.WhenAsync(Stack.Api.Ops, s => s.Names.Contains("merchant_alerts_open")
            && s.Series("http_server_request_duration_seconds_count").Any(x => x.Labels.GetValueOrDefault("http_response_status_code") == "409")
            && s.Names.Contains("merchant_callback_lag_seconds_bucket") && s.Names.Contains("merchant_refunds_total"));
    }

    public async Task DisposeAsync() => await Stack.DisposeAsync();
}

[Collection(MerchantDataSourceTests.PoolMetrics)]
public sealed partial class MetricsRulesTests(ScrapedPurchase purchase) : IClassFixture<ScrapedPurchase>
{
    // Prometheus makes `up` itself for every target; it is never in a scrape.
    private static readonly HashSet<string> PrometheusOwn = ["up"];

    private static readonly HashSet<string> PromQlWords =
        ["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan"];

    // Every label the scrape may carry. A new one needs a look at its cardinality (issue 16: route templates, methods,
    // statuses, outcomes, kinds; never a trade, line, machine or key) before it joins this list.
    private static readonly HashSet<string> BoundedLabels =
    [
        "otel_scope_name", "otel_scope_version", "le", "kind", "outcome", "endpoint", "result", "provider",
        "http_route", "http_request_method", "http_response_status_code", "error_type", "url_scheme", "network_protocol_version",
        "server_address", "server_port", "network_peer_address", "network_protocol_name", "network_transport", "network_type", "http_connection_state",
        "aspnetcore_authentication_result", "aspnetcore_authentication_scheme", "aspnetcore_authorization_result",
        "aspnetcore_authorization_policy", "aspnetcore_user_is_authenticated", "aspnetcore_diagnostics_exception_result",
        "aspnetcore_diagnostics_handler_type", "aspnetcore_memory_pool_owner", "aspnetcore_rate_limiting_result",
        "aspnetcore_rate_limiting_policy", "aspnetcore_routing_is_fallback", "aspnetcore_routing_match_status", "aspnetcore_request_is_unhandled",
        "tls_protocol_version", "kestrel_connection_endpoint",
        // Npgsql's pool instruments: the data source's fixed name, and idle / used.
        "db_client_connection_pool_name", "db_client_connection_state",
        // target_info's: the resource, one series per instance.
        "service_name", "service_instance_id", "telemetry_sdk_name", "telemetry_sdk_language", "telemetry_sdk_version",
    ];

    public static TheoryData<string> AlertRules() => [.. Rules().Select(r => r.Name)];

    public static TheoryData<string> DashboardPanels() => [.. Panels().Select(p => p.Title)];

    [Theory]
    [MemberData(nameof(AlertRules))]
    public void Each_alert_rule_reads_only_series_the_scrape_shows(string alert)
    {
        var expr = Rules().Single(r => r.Name == alert).Expr;

        ShouldReadOnlyScrapedSeries(expr);
    }

    [Theory]
    [MemberData(nameof(DashboardPanels))]
    public void Each_dashboard_query_reads_only_series_the_scrape_shows(string panel)
    {
        var exprs = Panels().Single(p => p.Title == panel).Exprs;

        exprs.ShouldNotBeEmpty();
        exprs.ForEach(ShouldReadOnlyScrapedSeries);
    }

    [Fact]
    public void The_alerts_cover_what_ops_watch()
    {
        var exprs = string.Join("\n", Rules().Select(r => r.Expr));

        foreach (var watched in new[]
                 {
                     "kind=\"needs_attention\"", "kind=\"refund_unconfirmed\"", "kind=\"slot_fault\"", "merchant_callback_lag_seconds_bucket",
                     "merchant_platform_call_duration_milliseconds_count", "merchant_jobs_queue_age_seconds", "up{",
                 })
        {
            exprs.ShouldContain(watched);
        }
    }

    [Fact]
    public void No_label_carries_an_id_a_token_or_a_key()
    {
        var scrape = purchase.Scrape;
        var forbidden = new Dictionary<string, string>
        {
            ["storefront key"] = MerchantHost.StorefrontKey,
            ["ops key"] = MerchantHost.OpsKey,
            ["notify secret"] = MerchantHost.NotifySecret,
            ["AppSecret"] = SimulatorHost.AppSecret,
            ["AppKey"] = SimulatorHost.AppKey,
            ["notify token"] = purchase.NotifyMac,
        };
        foreach (var trade in purchase.TradeIds)
        {
            forbidden[$"trade {trade}"] = trade;
        }

        scrape.Samples.Count.ShouldBeGreaterThan(100);
        foreach (var (what, value) in forbidden)
        {
            scrape.Text.ShouldNotContain(value, Case.Sensitive, $"{what} in the scrape");
        }

        var labels = scrape.Samples.SelectMany(s => s.Labels.Keys).ToHashSet();
        labels.Except(BoundedLabels).ShouldBeEmpty("labels whose cardinality nobody has looked at");
        scrape.Samples.Select(s => s.Labels.GetValueOrDefault("http_route")).OfType<string>()
            .ShouldAllBe(route => !Regex.IsMatch(route, "[0-9]{8,}"), "a raw path (an id) as http_route");
    }

    [Fact]
    public void Of_npgsqls_meter_only_the_pool_is_scraped_under_the_data_sources_name()
    {
        var scrape = purchase.Scrape;

        // Its per-statement instruments (operation duration, bytes, executing) would be recorded on every command.
        scrape.Names.Where(n => n.StartsWith("db_client_", StringComparison.Ordinal))
            .ShouldAllBe(n => n.StartsWith("db_client_connection_", StringComparison.Ordinal));
        // Npgsql's meter is one per process: this test process also shows the pools of other API hosts alive at the
        // time (named like ours; the one host with a pool size of its own shares this class's collection, so it is not
        // alive now) and of the tests' own connections (unnamed: labelled with their connection string). A service
        // process has only its data source.
        bool Ours(Sample s) => s.Labels["db_client_connection_pool_name"] == MerchantDataSource.PoolName;
        scrape.Series("db_client_connection_max").Where(Ours).ShouldContain(p => p.Value == MerchantDataSource.DefaultMaxPoolSize);
        scrape.Series("db_client_connection_count").Where(Ours).Select(s => s.Labels["db_client_connection_state"]).Distinct()
            .ShouldBe(["idle", "used"], ignoreOrder: true);
    }

    [Fact]
    public async Task The_ops_metrics_view_reads_the_same_meters()
    {
        var metrics = (await purchase.Stack.Api.Ops.GetFromJsonAsync<List<MetricView>>("/api/v1/ops/metrics", Stack.Json))!;

        metrics.ShouldContain(m => m.Name == "merchant.callback.lag" && m.Count >= 1);
        metrics.ShouldContain(m => m.Name == "merchant.alerts.open" && m.Tags == "kind=needs_attention" && m.Kind == "gauge");
        metrics.ShouldContain(m => m.Name == "merchant.slots.failures_while_faulted" && m.Kind == "counter");
        purchase.Scrape.Series("merchant_callback_lag_seconds_count").Sum(s => s.Value).ShouldBeGreaterThanOrEqualTo(1);
    }

    /// <summary>Every metric a PromQL expression selects is in the scrape, with every label it matches on (and the value, for =).</summary>
    private void ShouldReadOnlyScrapedSeries(string expr)
    {
        var selectors = Selectors(expr);
        selectors.ShouldNotBeEmpty($"no metric found in {expr}");
        foreach (var (metric, matchers) in selectors.Where(s => !PrometheusOwn.Contains(s.Metric)))
        {
            var series = purchase.Scrape.Series(metric).ToList();
            series.ShouldNotBeEmpty($"{metric} (in `{expr}`) is not in the scrape; it has: {string.Join(" ", purchase.Scrape.Names.Order())}");
            foreach (var (label, op, value) in matchers)
            {
                series.ShouldContain(s => s.Labels.ContainsKey(label), $"{metric} has no label {label} (in `{expr}`)");
                if (op == "=")
                {
                    series.ShouldContain(s => s.Labels.GetValueOrDefault(label) == value, $"{metric} has no series with {label}=\"{value}\" (in `{expr}`)");
                }
            }
        }
    }

    /// <summary>The metric selectors of a PromQL expression: names (not functions, keywords or grouping labels) and their matchers.</summary>
    internal static List<(string Metric, List<(string Label, string Op, string Value)> Matchers)> Selectors(string expr)
    {
        // Grouping clauses name labels, not metrics; ranges and durations are not names either.
        var text = Grouping().Replace(expr, " ");
        text = Range().Replace(text, " ");
        var selectors = new List<(string, List<(string, string, string)>)>();
        foreach (Match match in Selector().Matches(text))
        {
            var name = match.Groups["name"].Value;
            var followedByParen = match.Groups["paren"].Success;
            if (followedByParen || PromQlWords.Contains(name.ToLowerInvariant()))
            {
                continue;
            }

            var matchers = Matcher().Matches(match.Groups["matchers"].Value)
                .Select(m => (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value)).ToList();
            selectors.Add((name, matchers));
        }

        return selectors;
    }

    private static List<(string Name, string Expr)> Rules()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(ApiProcess.RepositoryRoot(), "deploy", "prometheus", "alerts.yml")))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)yaml.Documents.Single().RootNode;
        var rules = ((YamlSequenceNode)root["groups"]).Cast<YamlMappingNode>()
            .SelectMany(g => ((YamlSequenceNode)g["rules"]).Cast<YamlMappingNode>())
            .Select(r => (((YamlScalarNode)r["alert"]).Value!, ((YamlScalarNode)r["expr"]).Value!))
            .ToList();
        rules.ShouldNotBeEmpty();
        return rules;
    }

    private static List<(string Title, List<string> Exprs)> Panels()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(ApiProcess.RepositoryRoot(), "deploy", "grafana", "merchant.json")));
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .Select(p => (p.GetProperty("title").GetString()!,
                p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!).ToList()))
            .ToList();
        panels.ShouldNotBeEmpty();
        return panels;
    }

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Range();

    [GeneratedRegex("""(?<![\w."])(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{(?<matchers>[^}]*)\})?\s*(?<paren>\()?""")]
    private static partial Regex Selector();

    [GeneratedRegex("""([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"([^"]*)""")]
    private static partial Regex Matcher();
}
