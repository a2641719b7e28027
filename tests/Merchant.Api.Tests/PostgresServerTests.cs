using Merchant.Testing;
using Npgsql;

namespace Merchant.Api.Tests;

/// <summary>
/// The fixture's choice of server (MERCHANT_TEST_DB, a container, the local cluster) and the Docker probe behind it, on an
/// environment of the test's own.
/// </summary>
public sealed class PostgresServerTests : IDisposable
{
    // Generous: the probe's own bound is seconds; this only turns a hang into a failure.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly string _home = Directory.CreateTempSubdirectory("merchant-choice-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public async Task An_unreachable_DOCKER_HOST_falls_back_to_a_local_cluster_that_answers_queries()
    {
        var environment = Environment("tcp://127.0.0.1:1");

        var server = await PostgresServer.StartAsync(environment).WaitAsync(Bound);
        var answer = await QueryAsync(server.AdminConnectionString);
        await server.StopAsync();

        server.Source.ShouldBe(PostgresSource.LocalCluster);
        server.Description.ShouldContain("no Docker engine at tcp://127.0.0.1:1:");
        answer.ShouldBe(1);
    }

    [Fact]
    public async Task A_Docker_engine_that_answers_ping_but_cannot_run_the_container_falls_back_to_a_local_cluster()
    {
        await using var engine = FakeDockerEngine.Tcp();
        var environment = Environment(engine.Endpoint.OriginalString);

        var server = await PostgresServer.StartAsync(environment).WaitAsync(Bound);
        var answer = await QueryAsync(server.AdminConnectionString);
        await server.StopAsync();

        server.Source.ShouldBe(PostgresSource.LocalCluster);
        server.Description.ShouldContain($"the Docker engine at {engine.Endpoint.OriginalString} answered, but postgres:15 did not start");
        engine.Connections.ShouldBeGreaterThan(1);
        answer.ShouldBe(1);
    }

    [Fact]
    public async Task MERCHANT_TEST_DB_wins_over_a_Docker_engine_that_answers()
    {
        var shared = await PostgresServer.GetAsync();
        await using var engine = FakeDockerEngine.Tcp();
        var environment = Environment(engine.Endpoint.OriginalString);
        environment["MERCHANT_TEST_DB"] = shared.AdminConnectionString;

        var server = await PostgresServer.StartAsync(environment).WaitAsync(Bound);
        var answer = await QueryAsync(server.AdminConnectionString);

        server.Source.ShouldBe(PostgresSource.MerchantTestDb);
        server.AdminConnectionString.ShouldBe(shared.AdminConnectionString);
        engine.Connections.ShouldBe(0);
        answer.ShouldBe(1);
    }

    [Fact]
    public async Task Starting_a_cluster_removes_the_folders_of_clusters_whose_test_host_is_gone_and_keeps_the_rest()
    {
        // A process that has exited: its pid names a test host killed before it could clean up.
        using (var exited = System.Diagnostics.Process.Start("true")!)
        {
            await exited.WaitForExitAsync();
            var abandoned = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"merchant-pg-{exited.Id}-abandoned-by-a-test")).FullName;
            var ours = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"merchant-pg-{System.Environment.ProcessId}-kept-by-a-test")).FullName;
            await File.WriteAllTextAsync(Path.Combine(abandoned, "marker"), "x");
            try
            {
                var server = await PostgresServer.StartOwnAsync(durableCommits: false).WaitAsync(Bound);
                await server.StopAsync();

                Directory.Exists(abandoned).ShouldBeFalse();
                Directory.Exists(ours).ShouldBeTrue("a live process's folder is never touched");
            }
            finally
            {
                Directory.Delete(ours, recursive: true);
                if (Directory.Exists(abandoned))
                {
                    Directory.Delete(abandoned, recursive: true);
                }
            }
        }
    }

    [Theory]
    [InlineData("tcp://127.0.0.1:1")]
    [InlineData("unix:///nonexistent/docker.sock")]
    public async Task An_unreachable_DOCKER_HOST_reads_as_no_engine(string dockerHost)
    {
        var environment = Environment(dockerHost);

        var probe = await DockerEngine.ProbeAsync(environment, DockerEngine.DefaultTimeout).WaitAsync(Bound);

        probe.Answers.ShouldBeFalse();
        probe.Endpoint.ShouldBe(new Uri(dockerHost));
    }

    [Fact]
    public async Task An_engine_that_accepts_and_never_answers_reads_as_no_engine_when_the_time_is_up()
    {
        await using var silent = FakeDockerEngine.Tcp(silent: true);

        var probe = await DockerEngine.ProbeAsync(Environment(silent.Endpoint.OriginalString), TimeSpan.FromSeconds(1)).WaitAsync(Bound);

        probe.Answers.ShouldBeFalse();
        probe.Detail.ShouldBe("no answer to /_ping in time");
        silent.Connections.ShouldBe(1);
    }

    [Fact]
    public async Task An_engine_answering_ping_on_DOCKER_HOST_over_tcp_is_found()
    {
        await using var engine = FakeDockerEngine.Tcp();

        var probe = await DockerEngine.ProbeAsync(Environment(engine.Endpoint.OriginalString), DockerEngine.DefaultTimeout).WaitAsync(Bound);

        probe.Answers.ShouldBeTrue();
        probe.Endpoint.ShouldBe(engine.Endpoint);
    }

    [Fact]
    public async Task An_engine_answering_ping_on_DOCKER_HOST_over_a_unix_socket_is_found()
    {
        await using var engine = FakeDockerEngine.Unix(Path.Combine(_home, "docker.sock"));

        var probe = await DockerEngine.ProbeAsync(Environment(engine.Endpoint.OriginalString), DockerEngine.DefaultTimeout).WaitAsync(Bound);

        probe.Answers.ShouldBeTrue();
        probe.Endpoint.ShouldBe(engine.Endpoint);
    }

    [Fact]
    public async Task Without_DOCKER_HOST_the_docker_host_of_the_testcontainers_properties_is_asked()
    {
        await using var engine = FakeDockerEngine.Tcp();
        await File.WriteAllTextAsync(Path.Combine(_home, ".testcontainers.properties"), $"# a comment\ndocker.host={engine.Endpoint.OriginalString}\n");

        var probe = await DockerEngine.ProbeAsync(Environment(dockerHost: null), DockerEngine.DefaultTimeout).WaitAsync(Bound);

        probe.Answers.ShouldBeTrue();
        probe.Endpoint.ShouldBe(engine.Endpoint);
    }

    [Fact]
    public async Task An_unreachable_DOCKER_HOST_is_not_passed_over_for_another_engine()
    {
        await using var other = FakeDockerEngine.Tcp();
        await File.WriteAllTextAsync(Path.Combine(_home, ".testcontainers.properties"), $"docker.host={other.Endpoint.OriginalString}\n");

        var probe = await DockerEngine.ProbeAsync(Environment("tcp://127.0.0.1:1"), DockerEngine.DefaultTimeout).WaitAsync(Bound);

        probe.Answers.ShouldBeFalse();
        other.Connections.ShouldBe(0);
    }

    private Dictionary<string, string?> Environment(string? dockerHost) => new()
    {
        ["HOME"] = _home,
        ["DOCKER_HOST"] = dockerHost,
        ["MERCHANT_PG_BIN"] = System.Environment.GetEnvironmentVariable("MERCHANT_PG_BIN"),
    };

    private static async Task<int> QueryAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        return (int)(await command.ExecuteScalarAsync())!;
    }
}
