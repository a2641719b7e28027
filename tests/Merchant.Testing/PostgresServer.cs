using System.Collections;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Testcontainers.PostgreSql;

namespace Merchant.Testing;

/// <summary>Where a <see cref="PostgresServer"/> runs.</summary>
public enum PostgresSource
{
    MerchantTestDb,
    Container,
    LocalCluster,
}

/// <summary>
/// One PostgreSQL server for the whole test process: the server named by MERCHANT_TEST_DB, else a Testcontainers
/// postgres:15 container when a Docker engine answers, else a throwaway cluster from the OS binaries (random free port,
/// run as the postgres user when we are root); fsync off in both. Each test class gets its own database.
/// </summary>
public sealed class PostgresServer
{
    private const string ContainerImage = "postgres:15";

    // Long enough for a first pull of the image on a slow link; a stuck pull must still end the wait.
    private static readonly TimeSpan ContainerStartTimeout = TimeSpan.FromMinutes(5);
    private static readonly Lazy<Task<PostgresServer>> Shared = new(() => AnnounceAsync(StartAsync(ProcessEnvironment())));
    private static readonly Lazy<Task<PostgresServer>> SharedLocal = new(() => AnnounceAsync(StartAsync(ProcessEnvironment(), allowContainer: false)));
    private static int _databases;
    private bool DurableCommits { get; init; }
    private PostgreSqlContainer? Container { get; init; }

    private PostgresServer(string adminConnectionString, string? dataDirectory, string? binDirectory, int port)
    {
        AdminConnectionString = adminConnectionString;
        DataDirectory = dataDirectory;
        BinDirectory = binDirectory;
        Port = port;
    }

    public string AdminConnectionString { get; }

    /// <summary>Null unless this is a local cluster (MERCHANT_TEST_DB, a container).</summary>
    public string? DataDirectory { get; }

    public string? BinDirectory { get; }

    public int Port { get; }

    public required PostgresSource Source { get; init; }

    /// <summary>Which server this is and why it was chosen, as printed once per process.</summary>
    public required string Description { get; init; }

    public static Task<PostgresServer> GetAsync() => Shared.Value;

    /// <summary>
    /// The process's server without the container choice (MERCHANT_TEST_DB or the local cluster), for the bench: it reads
    /// the cluster's processes from its data directory and restarts it.
    /// </summary>
    public static Task<PostgresServer> GetLocalAsync() => SharedLocal.Value;

    /// <summary>
    /// Chooses and starts a server as <see cref="GetAsync"/> does, reading <paramref name="environment"/> instead of the
    /// process's (MERCHANT_TEST_DB, DOCKER_HOST, HOME, MERCHANT_PG_BIN). The caller stops it with <see cref="StopAsync"/>.
    /// </summary>
    public static async Task<PostgresServer> StartAsync(IReadOnlyDictionary<string, string?> environment, bool allowContainer = true)
    {
        var outside = environment.GetValueOrDefault("MERCHANT_TEST_DB");
        if (!string.IsNullOrWhiteSpace(outside))
        {
            var named = new NpgsqlConnectionStringBuilder(outside);
            return new PostgresServer(outside, null, null, named.Port)
            {
                Source = PostgresSource.MerchantTestDb,
                Description = $"MERCHANT_TEST_DB ({named.Host}:{named.Port}/{named.Database})",
            };
        }

        if (!allowContainer)
        {
            return await StartClusterAsync(durableCommits: false, environment, "a local cluster was asked for");
        }

        var docker = await DockerEngine.ProbeAsync(environment, DockerEngine.DefaultTimeout);
        var at = docker.Endpoint is null ? "" : $" at {docker.Endpoint.OriginalString}";
        if (!docker.Answers)
        {
            return await StartClusterAsync(durableCommits: false, environment, $"no Docker engine{at}: {docker.Detail}");
        }

        try
        {
            return await StartContainerAsync(docker.Endpoint!);
        }
        catch (Exception e)
        {
            return await StartClusterAsync(durableCommits: false, environment, $"the Docker engine{at} answered, but {ContainerImage} did not start: {e.Message}");
        }
    }

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
        // forks a PostgreSQL backend (measured: ~25 ms of server CPU per checkout without a pool). No pool size: the
        // service runs with its own default (MerchantDataSource), as it does in production.
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    /// <summary>Restarts the cluster (fault tests: the database goes away and comes back).</summary>
    /// <param name="whileDown">Runs once the server has stopped, alongside the downtime (so a test can be sure it saw the outage).</param>
    public async Task RestartAsync(TimeSpan downtime, Func<Task>? whileDown = null)
    {
        if (DataDirectory is null || BinDirectory is null)
        {
            throw new InvalidOperationException($"Only a local cluster can be restarted (StartOwnAsync starts one); this is {Description}.");
        }

        await RunPgCtlAsync($"stop -D \"{DataDirectory}\" -m immediate -w");
        await Task.WhenAll(Task.Delay(downtime), whileDown?.Invoke() ?? Task.CompletedTask);
        await RunPgCtlAsync(StartArguments(DataDirectory, Port, DurableCommits));
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>
    /// A cluster of the caller's own (never MERCHANT_TEST_DB), for tests that restart it: restarting the shared one
    /// would break every test class running in parallel. With <paramref name="durableCommits"/> a commit is in the WAL
    /// before it is acknowledged (synchronous_commit=on), so an immediate stop loses nothing a client was told of.
    /// </summary>
    public static Task<PostgresServer> StartOwnAsync(bool durableCommits = true) =>
        StartClusterAsync(durableCommits, ProcessEnvironment(), "a test's own, to restart");

    /// <summary>
    /// Stops a server started with <see cref="StartOwnAsync"/> or <see cref="StartAsync"/> and deletes its files
    /// (the shared one stops at exit; MERCHANT_TEST_DB is never stopped).
    /// </summary>
    public async Task StopAsync()
    {
        if (Container is not null)
        {
            await Container.DisposeAsync();
            NpgsqlConnection.ClearAllPools();
            return;
        }

        if (DataDirectory is null || BinDirectory is null)
        {
            return;
        }

        await RunPgCtlAsync($"stop -D \"{DataDirectory}\" -m immediate -w");
        NpgsqlConnection.ClearAllPools();
        Directory.Delete(Path.GetDirectoryName(DataDirectory)!, recursive: true);
    }

    private static async Task<PostgresServer> AnnounceAsync(Task<PostgresServer> starting)
    {
        var server = await starting;
        await Console.Error.WriteLineAsync($"PostgreSQL for tests: {server.Description}");
        return server;
    }

    private static Dictionary<string, string?> ProcessEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string?)e.Value);

    private static async Task<PostgresServer> StartContainerAsync(Uri endpoint)
    {
        var container = new PostgreSqlBuilder(ContainerImage)
            .WithDockerEndpoint(endpoint)
            .WithEnvironment("POSTGRES_INITDB_ARGS", "-E UTF8 --locale=C")
            .WithCommand(ServerSettings(durableCommits: false).SelectMany(setting => new[] { "-c", setting }).ToArray())
            .Build();
        try
        {
            using var timeout = new CancellationTokenSource(ContainerStartTimeout);
            await container.StartAsync(timeout.Token);
        }
        catch
        {
            await container.DisposeAsync();
            throw;
        }

        var admin = new NpgsqlConnectionStringBuilder(container.GetConnectionString()) { Pooling = false, Timeout = 30 };
        var server = new PostgresServer(admin.ConnectionString, null, null, admin.Port)
        {
            Source = PostgresSource.Container,
            Description = $"Testcontainers {ContainerImage} ({admin.Host}:{admin.Port}, Docker engine at {endpoint.OriginalString})",
            Container = container,
        };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.StopContainer();
        return server;
    }

    private static async Task<PostgresServer> StartClusterAsync(bool durableCommits, IReadOnlyDictionary<string, string?> environment, string why)
    {
        var bin = FindBinaries(environment) ?? throw new InvalidOperationException(
            $"PostgreSQL server binaries were not found ({why}). Install them (apt-get install postgresql), "
            + "set MERCHANT_PG_BIN to their folder, set MERCHANT_TEST_DB to a server's connection string, or start a Docker engine.");
        RemoveAbandonedClusters();
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
            Source = PostgresSource.LocalCluster,
            Description = $"local cluster from {bin} on port {port} ({why})",
        };
        await server.RunPgCtlAsync(StartArguments(data, port, durableCommits));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop(directory);
        return server;
    }

    private static string StartArguments(string data, int port, bool durableCommits) =>
        $"start -D \"{data}\" -w -t 60 -l \"{Path.Combine(Path.GetDirectoryName(data)!, "postgres.log")}\" "
        + $"-o \"-p {port} -k {Path.GetDirectoryName(data)} -c listen_addresses=127.0.0.1 "
        + string.Join(' ', ServerSettings(durableCommits).Select(setting => $"-c {setting}")) + "\"";

    // The container gets these too, so tests behave alike on either server.
    private static string[] ServerSettings(bool durableCommits) =>
    [
        "fsync=off", $"synchronous_commit={(durableCommits ? "on" : "off")}", "full_page_writes=off", "max_connections=400", "shared_buffers=128MB",
    ];

    private void StopContainer()
    {
        try
        {
            Container!.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            // Best effort at exit: Testcontainers' resource reaper removes a container left behind.
        }
    }

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

    // A test host killed before ProcessExit (a timed-out run, a Ctrl-C, vstest ending its host) leaves its cluster
    // folder behind; 170 of them once filled 47 GB of /tmp. A folder whose creating process is gone and whose
    // postmaster is not running belongs to no one, so the next start removes it.
    private static void RemoveAbandonedClusters()
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), "merchant-pg-*"))
        {
            try
            {
                var parts = Path.GetFileName(folder).Split('-');
                if (parts.Length < 4 || !int.TryParse(parts[2], out var creator) || IsAlive(creator))
                {
                    continue;
                }

                var pidFile = Path.Combine(folder, "data", "postmaster.pid");
                if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var postmaster) && IsAlive(postmaster))
                {
                    continue;
                }

                Directory.Delete(folder, recursive: true);
            }
            catch (Exception)
            {
                // Someone else's folder, or one being removed by another run: leave it.
            }
        }
    }

    private static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}");

    private Task RunPgCtlAsync(string arguments) => RunAsync(Path.Combine(BinDirectory!, "pg_ctl"), arguments, asPostgres: true);

    private static bool IsRoot => Environment.UserName == "root";

    private static string? FindBinaries(IReadOnlyDictionary<string, string?> environment)
    {
        var configured = environment.GetValueOrDefault("MERCHANT_PG_BIN");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        return Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
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
