using System.Globalization;
using Merchant.Testing;
using Npgsql;

namespace Merchant.Bench;

/// <summary>
/// Where the time goes: PostgreSQL's own counters (pg_stat_statements, pg_stat_user_tables, pg_stat_database) and
/// EF Core's command log over a known number of checkouts, then over paying those trades until every line is dispensed.
/// Gives statements, transactions, EF commands (round trips) and rows written per checkout and per paid trade.
/// Restarts the benchmark's throwaway cluster once with pg_stat_statements preloaded.
/// </summary>
public static class ProfileBenchmark
{
    public static async Task RunAsync(Args args, Report report)
    {
        var settings = BenchSettings.From(args);
        var count = args.Int("trades", settings.Smoke ? 10 : 200);
        var lines = args.Int("lines", 2);
        var server = await PostgresServer.GetLocalAsync();
        await EnableStatementsAsync(server);

        await using var stack = await BenchStack.StartAsync("profile", settings);
        var logFile = Path.Combine(ApiProcess.RepositoryRoot(), "bench", "results", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-profile-api.log");
        var api = await stack.StartLoggedApiAsync(settings, new Dictionary<string, string?>
        {
            ["Serilog:MinimumLevel:Override:Microsoft.EntityFrameworkCore.Database.Command"] = "Information",
        }, logFile);
        await ExecuteAsync(stack.ConnectionString, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        var machines = await stack.CreateMachinesAsync(count, products: 2, resultDelayMs: 20);
        await stack.CheckoutManyAsync(machines.Take(5).ToList(), 1, lines, 4, [api.BaseUrl]);
        await Task.Delay(1500);

        await ResetAsync(stack.ConnectionString);
        var mark = EfCommands(logFile);
        var trades = await stack.CheckoutManyAsync(machines, 1, lines, 4, [api.BaseUrl]);
        await Task.Delay(1500);
        var checkout = await SnapshotAsync(stack.ConnectionString);
        var checkoutEf = EfCommands(logFile) - mark;

        await ResetAsync(stack.ConnectionString);
        mark = EfCommands(logFile);
        using (var client = BenchStack.Client(api.BaseUrl, 8))
        {
            await Parallel.ForEachAsync(trades, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (t, ct) => await BenchStack.NotifyPaidAsync(client, t, ct));
        }

        var total = trades.Count * lines;
        await BenchStack.WaitUntilAsync(async () =>
            (await stack.CountByAsync("SELECT status, count(*) FROM trades GROUP BY status")).GetValueOrDefault("completed") >= trades.Count
            && (await stack.CountByAsync("SELECT status, count(*) FROM trade_lines GROUP BY status")).GetValueOrDefault("dispensed") >= total,
            TimeSpan.FromSeconds(120), TimeSpan.FromMilliseconds(500));
        await Task.Delay(1500);
        var paid = await SnapshotAsync(stack.ConnectionString);
        var paidEf = EfCommands(logFile) - mark;
        var states = await stack.CountByAsync("SELECT status, count(*) FROM trades GROUP BY status");

        report.Line($"### Profile: {trades.Count} checkouts of {lines} lines, then paying them until every line is dispensed (one API instance, EF command logging on)");
        report.Line();
        report.Line($"Trades at the end: {string.Join(", ", states.Select(kv => $"{kv.Key} {kv.Value}"))}. API output with every EF command: `{Path.GetRelativePath(ApiProcess.RepositoryRoot(), logFile)}`.");
        report.Line();
        report.Table(["phase", "per", "SQL statements", "transactions (commits)", "EF commands (round trips via EF)", "rows inserted", "rows updated", "rows deleted"],
        [
            Summary("checkout", "checkout", checkout, checkoutEf, trades.Count),
            Summary($"pay → {lines} lines dispensed → completed", "trade", paid, paidEf, trades.Count),
        ]);
        foreach (var (name, snapshot) in new[] { ("checkout", checkout), ("pay → dispensed", paid) })
        {
            report.Line($"Statements of the {name} phase, per trade (pg_stat_statements; background polling of all instances included):");
            report.Line();
            report.Table(["calls / trade", "mean ms", "statement"],
                snapshot.Statements.OrderByDescending(s => s.Calls).Take(25).Select(s => new[]
                {
                    (s.Calls / (double)trades.Count).ToString("F2", CultureInfo.InvariantCulture), s.MeanMs.ToString("F3", CultureInfo.InvariantCulture),
                    "`" + Shorten(s.Query) + "`",
                }));
            report.Line($"Rows written in the {name} phase, per trade:");
            report.Line();
            report.Table(["table", "inserted", "updated", "deleted"], snapshot.Tables.Where(t => t.Inserted + t.Updated + t.Deleted > 0)
                .OrderByDescending(t => t.Inserted + t.Updated).Select(t => new[]
                {
                    t.Name, (t.Inserted / (double)trades.Count).ToString("F2", CultureInfo.InvariantCulture),
                    (t.Updated / (double)trades.Count).ToString("F2", CultureInfo.InvariantCulture),
                    (t.Deleted / (double)trades.Count).ToString("F2", CultureInfo.InvariantCulture),
                }));
        }
    }

    private static string[] Summary(string phase, string per, Snapshot s, long ef, int count) =>
    [
        phase, per, (s.Statements.Sum(x => x.Calls) / (double)count).ToString("F1", CultureInfo.InvariantCulture),
        (s.Commits / (double)count).ToString("F1", CultureInfo.InvariantCulture), (ef / (double)count).ToString("F1", CultureInfo.InvariantCulture),
        (s.Tables.Sum(t => t.Inserted) / (double)count).ToString("F1", CultureInfo.InvariantCulture),
        (s.Tables.Sum(t => t.Updated) / (double)count).ToString("F1", CultureInfo.InvariantCulture),
        (s.Tables.Sum(t => t.Deleted) / (double)count).ToString("F1", CultureInfo.InvariantCulture),
    ];

    private static string Shorten(string query)
    {
        var flat = string.Join(' ', query.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries)).Replace("|", "\\|", StringComparison.Ordinal);
        return flat.Length <= 160 ? flat : flat[..157] + "...";
    }

    /// <summary>Lines of the API's output that record one executed EF command.</summary>
    private static long EfCommands(string logFile)
    {
        using var stream = new FileStream(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        long count = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.Contains("Executed DbCommand", StringComparison.Ordinal))
            {
                count++;
            }
        }

        return count;
    }

    private static async Task EnableStatementsAsync(PostgresServer server)
    {
        await using (var connection = new NpgsqlConnection(server.AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var show = new NpgsqlCommand("SHOW shared_preload_libraries", connection);
            if (((string?)await show.ExecuteScalarAsync() ?? "").Contains("pg_stat_statements", StringComparison.Ordinal))
            {
                return;
            }

            await using var alter = new NpgsqlCommand("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'", connection);
            await alter.ExecuteNonQueryAsync();
        }

        BenchStack.Log("profile: restarting the throwaway cluster with pg_stat_statements");
        await server.RestartAsync(TimeSpan.Zero);
    }

    private static async Task ResetAsync(string connectionString)
    {
        await ExecuteAsync(connectionString, "SELECT pg_stat_statements_reset()");
        await ExecuteAsync(connectionString, "SELECT pg_stat_reset()");
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<Snapshot> SnapshotAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false");
        await connection.OpenAsync();
        var statements = new List<Statement>();
        await using (var command = new NpgsqlCommand("""
            SELECT s.query, s.calls, s.mean_exec_time FROM pg_stat_statements s
            WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND s.query NOT ILIKE '%pg_stat%' AND s.query NOT ILIKE '%FROM trades GROUP BY%' AND s.query NOT ILIKE '%FROM trade_lines GROUP BY%'
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                statements.Add(new Statement(reader.GetString(0), reader.GetInt64(1), reader.GetDouble(2)));
            }
        }

        var tables = new List<TableWrites>();
        await using (var command = new NpgsqlCommand("SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(new TableWrites(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)));
            }
        }

        await using var commits = new NpgsqlCommand("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()", connection);
        return new Snapshot(statements, tables, (long)(await commits.ExecuteScalarAsync())!);
    }

    private sealed record Statement(string Query, long Calls, double MeanMs);

    private sealed record TableWrites(string Name, long Inserted, long Updated, long Deleted);

    private sealed record Snapshot(List<Statement> Statements, List<TableWrites> Tables, long Commits);
}
