using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Merchant.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster for the whole test process (random free port, fsync off, run as the
/// postgres user when we are root), or the server named by MERCHANT_TEST_DB. Each test class gets its own database.
/// </summary>
public sealed class PostgresServer
{
    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync);
    private static int _databases;
    private bool DurableCommits { get; init; }

    private PostgresServer(string adminConnectionString, string? dataDirectory, string? binDirectory, int port)
    {
        AdminConnectionString = adminConnectionString;
        DataDirectory = dataDirectory;
        BinDirectory = binDirectory;
        Port = port;
    }

    public string AdminConnectionString { get; }

    /// <summary>Null when an outside server (MERCHANT_TEST_DB) is used.</summary>
    public string? DataDirectory { get; }

    public string? BinDirectory { get; }

    public int Port { get; }

    public static Task<PostgresServer> GetAsync() => Shared.Value;

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "merchant_test")
    {
        var name = $"{prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}".ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        // The admin string is unpooled (one-off DDL); the application's must pool like production, or every query
        // forks a PostgreSQL backend (measured: ~25 ms of server CPU per checkout without a pool).
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true, MaxPoolSize = 50 }.ConnectionString;
    }

    /// <summary>Restarts the cluster (fault tests: the database goes away and comes back).</summary>
    public async Task RestartAsync(TimeSpan downtime)
    {
        if (DataDirectory is null || BinDirectory is null)
        {
            throw new InvalidOperationException("Only a cluster this fixture started can be restarted.");
        }

        await RunPgCtlAsync($"stop -D \"{DataDirectory}\" -m immediate -w");
        await Task.Delay(downtime);
        await RunPgCtlAsync(StartArguments(DataDirectory, Port, DurableCommits));
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>
    /// A cluster of the caller's own (never MERCHANT_TEST_DB), for tests that restart it: restarting the shared one
    /// would break every test class running in parallel. With <paramref name="durableCommits"/> a commit is in the WAL
    /// before it is acknowledged (synchronous_commit=on), so an immediate stop loses nothing a client was told of.
    /// </summary>
    public static Task<PostgresServer> StartOwnAsync(bool durableCommits = true) => StartClusterAsync(durableCommits);

    /// <summary>Stops a cluster started with <see cref="StartOwnAsync"/> and deletes its files (the shared one stops at exit).</summary>
    public async Task StopAsync()
    {
        if (DataDirectory is null || BinDirectory is null)
        {
            return;
        }

        await RunPgCtlAsync($"stop -D \"{DataDirectory}\" -m immediate -w");
        NpgsqlConnection.ClearAllPools();
        Directory.Delete(Path.GetDirectoryName(DataDirectory)!, recursive: true);
    }

    private static async Task<PostgresServer> StartAsync()
    {
        var outside = Environment.GetEnvironmentVariable("MERCHANT_TEST_DB");
        if (!string.IsNullOrWhiteSpace(outside))
        {
            return new PostgresServer(outside, null, null, new NpgsqlConnectionStringBuilder(outside).Port);
        }

        return await StartClusterAsync(durableCommits: false);
    }

    private static async Task<PostgresServer> StartClusterAsync(bool durableCommits)
    {
        var bin = FindBinaries();
        var directory = Path.Combine(Path.GetTempPath(), $"merchant-pg-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(directory);
        var data = Path.Combine(directory, "data");
        if (IsRoot)
        {
            await RunAsync("chown", $"postgres \"{directory}\"");
        }

        await RunAsync(Path.Combine(bin, "initdb"), $"-D \"{data}\" -A trust -U postgres --no-sync -E UTF8 --locale=C", asPostgres: true);
        var port = FreePort();
        var server = new PostgresServer(
            $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false;Timeout=30",
            data, bin, port)
        {
            DurableCommits = durableCommits,
        };
        await server.RunPgCtlAsync(StartArguments(data, port, durableCommits));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop(directory);
        return server;
    }

    private static string StartArguments(string data, int port, bool durableCommits) =>
        $"start -D \"{data}\" -w -t 60 -l \"{Path.Combine(Path.GetDirectoryName(data)!, "postgres.log")}\" "
        + $"-o \"-p {port} -k {Path.GetDirectoryName(data)} -c listen_addresses=127.0.0.1 -c fsync=off "
        + $"-c synchronous_commit={(durableCommits ? "on" : "off")} -c full_page_writes=off -c max_connections=400 -c shared_buffers=128MB\"";

    private void Stop(string directory)
    {
        try
        {
            RunAsync(Path.Combine(BinDirectory!, "pg_ctl"), $"stop -D \"{DataDirectory}\" -m immediate -w", asPostgres: true)
                .GetAwaiter().GetResult();
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception)
        {
            // Best effort at exit: a leftover temp folder is harmless.
        }
    }

    private Task RunPgCtlAsync(string arguments) => RunAsync(Path.Combine(BinDirectory!, "pg_ctl"), arguments, asPostgres: true);

    private static bool IsRoot => Environment.UserName == "root";

    private static string FindBinaries()
    {
        var configured = Environment.GetEnvironmentVariable("MERCHANT_PG_BIN");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var found = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        return found ?? throw new InvalidOperationException(
            "PostgreSQL server binaries were not found. Install them (apt-get install postgresql), "
            + "set MERCHANT_PG_BIN to their folder, or set MERCHANT_TEST_DB to a server's connection string.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, string arguments, bool asPostgres = false)
    {
        var start = asPostgres && IsRoot
            ? new ProcessStartInfo("runuser", $"-u postgres -- \"{file}\" {arguments}")
            : new ProcessStartInfo(file, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = Path.GetTempPath();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} exited with {process.ExitCode}: {await output}{await error}");
        }
    }
}
