using System.Net.Sockets;

namespace Merchant.Testing;

/// <summary>What a Docker probe found: the endpoint it asked (null when there was none to ask) and whether it answered.</summary>
public sealed record DockerProbe(Uri? Endpoint, bool Answers, string Detail);

/// <summary>
/// Whether a Docker engine answers GET /_ping within a time bound, at the endpoint Testcontainers would use: tc.host or
/// docker.host in ~/.testcontainers.properties, DOCKER_HOST, else the default and rootless sockets that exist.
/// </summary>
public static class DockerEngine
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Reads only <paramref name="environment"/> (HOME for the properties file), never the process environment.</summary>
    public static async Task<DockerProbe> ProbeAsync(IReadOnlyDictionary<string, string?> environment, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var configured = ConfiguredEndpoint(environment);
        if (configured is not null)
        {
            // A configured endpoint is the only one asked, as with the docker CLI: one that does not answer means no Docker,
            // where Testcontainers would go on to the default socket.
            return Uri.TryCreate(configured, UriKind.Absolute, out var endpoint)
                ? await PingAsync(endpoint, deadline.Token)
                : new DockerProbe(null, false, $"'{configured}' is not an endpoint URI");
        }

        var sockets = DefaultSockets(environment).Where(File.Exists).ToList();
        var probe = new DockerProbe(null, false, "DOCKER_HOST is not set and no Docker socket exists at /var/run/docker.sock");
        foreach (var socket in sockets)
        {
            probe = await PingAsync(new Uri("unix://" + socket), deadline.Token);
            if (probe.Answers)
            {
                break;
            }
        }

        return probe;
    }

    private static string? ConfiguredEndpoint(IReadOnlyDictionary<string, string?> environment)
    {
        var properties = Properties(environment);
        var testcontainersHost = properties.GetValueOrDefault("tc.host");
        var candidates = new[]
        {
            testcontainersHost is not null && testcontainersHost.StartsWith("tcp:", StringComparison.OrdinalIgnoreCase) ? testcontainersHost : null,
            environment.GetValueOrDefault("DOCKER_HOST"),
            properties.GetValueOrDefault("docker.host"),
        };
        return candidates.FirstOrDefault(c => !string.IsNullOrWhiteSpace(c))?.Trim();
    }

    private static Dictionary<string, string> Properties(IReadOnlyDictionary<string, string?> environment)
    {
        var home = environment.GetValueOrDefault("HOME");
        var file = home is null ? null : Path.Combine(home, ".testcontainers.properties");
        if (file is null || !File.Exists(file))
        {
            return [];
        }

        return File.ReadLines(file)
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && line[0] is not ('#' or '!') && line.Contains('='))
            .Select(line => line.Split('=', 2))
            .GroupBy(pair => pair[0].Trim())
            .ToDictionary(g => g.Key, g => g.Last()[1].Trim());
    }

    private static IEnumerable<string> DefaultSockets(IReadOnlyDictionary<string, string?> environment)
    {
        yield return "/var/run/docker.sock";
        if (environment.GetValueOrDefault("XDG_RUNTIME_DIR") is { Length: > 0 } runtime)
        {
            yield return Path.Combine(runtime, "docker.sock");
        }

        if (environment.GetValueOrDefault("HOME") is { Length: > 0 } home)
        {
            yield return Path.Combine(home, ".docker", "run", "docker.sock");
            yield return Path.Combine(home, ".docker", "desktop", "docker.sock");
        }
    }

    // NOTE: plain HTTP only: a TLS endpoint (DOCKER_TLS_VERIFY) does not answer it, so it reads as no engine.
    private static async Task<DockerProbe> PingAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        var socket = Uri.UnescapeDataString(endpoint.AbsolutePath);
        if (endpoint.Scheme == "unix" && !File.Exists(socket))
        {
            // The socket error for a missing path reads "Cannot assign requested address".
            return new DockerProbe(endpoint, false, $"no socket at {socket}");
        }

        var handler = new SocketsHttpHandler { UseProxy = false };
        Uri ping;
        switch (endpoint.Scheme)
        {
            case "unix":
                handler.ConnectCallback = (_, ct) => ConnectUnixAsync(socket, ct);
                ping = new Uri("http://docker/_ping");
                break;
            case "tcp" or "http":
                ping = new UriBuilder("http", endpoint.Host, endpoint.Port > 0 ? endpoint.Port : 2375, "/_ping").Uri;
                break;
            default:
                handler.Dispose();
                return new DockerProbe(endpoint, false, $"{endpoint.Scheme}:// endpoints are not probed");
        }

        using var client = new HttpClient(handler);
        try
        {
            using var response = await client.GetAsync(ping, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            return response.IsSuccessStatusCode
                ? new DockerProbe(endpoint, true, $"/_ping answered {body.Trim()}")
                : new DockerProbe(endpoint, false, $"/_ping answered {(int)response.StatusCode}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new DockerProbe(endpoint, false, "no answer to /_ping in time");
        }
        catch (Exception e)
        {
            return new DockerProbe(endpoint, false, e.InnerException?.Message ?? e.Message);
        }
    }

    private static async ValueTask<Stream> ConnectUnixAsync(string path, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
