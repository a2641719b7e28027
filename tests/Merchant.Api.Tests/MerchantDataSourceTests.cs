using System.Net;
using System.Text.Json;
using Merchant.Api.Persistence;
using Merchant.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Merchant.Api.Tests;

// Npgsql's meter is one per process and every API host's pool is named "merchant": two hosts alive at once with other
// pool sizes merge into one series of an arbitrary value. The host here with a pool of 3 must not be alive while
// MetricsRulesTests scrapes (seen: its max read 3 instead of 32 in 1 of 3 runs side by side).
[Collection(PoolMetrics)]
public sealed class MerchantDataSourceTests
{
    public const string PoolMetrics = "npgsql pool metrics";

    [Fact]
    public void The_pool_defaults_apply_unless_the_connection_string_names_them()
    {
        using var defaults = MerchantDataSource.Build("Host=127.0.0.1;Database=merchant");
        var applied = new NpgsqlConnectionStringBuilder(defaults.ConnectionString);
        applied.NoResetOnClose.ShouldBeTrue();
        applied.MaxAutoPrepare.ShouldBe(64);
        applied.MaxPoolSize.ShouldBe(MerchantDataSource.DefaultMaxPoolSize);

        // An operator's choice wins (a transaction-mode pooler needs Max Auto Prepare=0).
        using var named = MerchantDataSource.Build("Host=127.0.0.1;Database=merchant;No Reset On Close=false;Max Auto Prepare=0");
        var kept = new NpgsqlConnectionStringBuilder(named.ConnectionString);
        kept.NoResetOnClose.ShouldBeFalse();
        kept.MaxAutoPrepare.ShouldBe(0);
    }

    [Theory]
    [InlineData("Maximum Pool Size=100")]
    [InlineData("MaxPoolSize=100")]
    [InlineData("maximum pool size=100")]
    public void A_pool_size_the_connection_string_names_is_kept_whichever_name_it_uses(string setting)
    {
        // 100 is Npgsql's own default: an operator who writes it out must get it, not ours.
        using var named = MerchantDataSource.Build($"Host=127.0.0.1;Database=merchant;{setting}");
        new NpgsqlConnectionStringBuilder(named.ConnectionString).MaxPoolSize.ShouldBe(100);
    }

    [Fact]
    public async Task A_request_that_finds_every_pooled_connection_busy_is_a_503_that_says_to_retry_not_a_500()
    {
        var server = await PostgresServer.GetAsync();
        var database = await server.CreateDatabaseAsync();
        await using var simulator = await SimulatorHost.StartAsync();
        // No job runner or maintenance sweep: a sweep that held a connection past the 1 s wait of the loop below, and
        // gave it back just before the request, would hand the request a free connection (a 404, not the 503).
        await using var api = new MerchantHost($"{database};Maximum Pool Size=3;Timeout=1", simulator.BaseUrl,
            new Dictionary<string, string?> { ["Jobs:Enabled"] = "false" });
        api.StartServer();

        // Take every connection of the API's pool, the way a burst would.
        var pool = api.Services.GetRequiredService<NpgsqlDataSource>();
        List<NpgsqlConnection> held = [];
        try
        {
            while (true)
            {
                try
                {
                    held.Add(await pool.OpenConnectionAsync());
                }
                catch (NpgsqlException)
                {
                    break;
                }
            }

            held.Count.ShouldBe(3);
            var busy = await api.Storefront.GetAsync("/api/v1/trades/12345678901234567890");

            busy.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            busy.Headers.RetryAfter.ShouldNotBeNull();
            using var problem = JsonDocument.Parse(await busy.Content.ReadAsStringAsync());
            problem.RootElement.GetProperty("code").GetString().ShouldBe("database_unavailable");
        }
        finally
        {
            foreach (var connection in held)
            {
                await connection.DisposeAsync();
            }
        }

        // The same request once connections are free again: the pool recovers by itself.
        (await api.Storefront.GetAsync("/api/v1/trades/12345678901234567890")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // What ops see of it (docs/operations.md, MerchantDatabasePoolFull): the waits and the timeouts of Npgsql's pool.
        var scrape = await Scrape.WhenAsync(api.Ops, s => s.Names.Contains("db_client_connection_npgsql_timeouts_total"));
        scrape.Series("db_client_connection_npgsql_timeouts_total").Sum(s => s.Value).ShouldBeGreaterThan(0);
        scrape.Names.ShouldContain("db_client_connection_npgsql_pending_requests");
    }
}
