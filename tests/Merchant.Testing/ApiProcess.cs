using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Merchant.Testing;

/// <summary>
/// The API as a real operating-system process (dotnet Merchant.Api.dll), so tests can kill it with SIGKILL
/// and start it again, or run several instances on one database.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly int _outputLines;

    private ApiProcess(Process process, string baseUrl, int outputLines)
    {
        _process = process;
        BaseUrl = baseUrl;
        _outputLines = outputLines;
    }

    public string BaseUrl { get; }

    public int Pid => _process.Id;

    public string Output => string.Join('\n', _output);

    /// <param name="outputLines">How many of the last lines of stdout/stderr <see cref="Output"/> keeps.</param>
    public static async Task<ApiProcess> StartAsync(IDictionary<string, string?> settings, int? port = null, TimeSpan? readyWithin = null,
        int outputLines = 2000)
    {
        var root = RepositoryRoot();
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Release" : "Debug";
        // MERCHANT_API_DLL runs another build of the API, e.g. the published (ReadyToRun) one the benchmarks measure.
        var dll = Environment.GetEnvironmentVariable("MERCHANT_API_DLL") is { Length: > 0 } published
            ? published
            : Path.Combine(root, "src", "Merchant.Api", "bin", configuration, "net10.0", "Merchant.Api.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Build the API first: {dll} is missing.");
        }

        var baseUrl = $"http://127.0.0.1:{port ?? FreePort()}";
        var start = new ProcessStartInfo("dotnet", $"\"{dll}\" --urls {baseUrl}")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start)!;
        var api = new ApiProcess(process, baseUrl, outputLines);
        process.OutputDataReceived += (_, e) => api.Capture(e.Data);
        process.ErrorDataReceived += (_, e) => api.Capture(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // A bound, not a speed: a restart beside two busy instances on a starved 2-core machine has taken over a minute.
        await api.WaitReadyAsync(readyWithin ?? TimeSpan.FromMinutes(3));
        return api;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, exactly like a crash.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Merchant.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("Merchant.sln not found above the test folder.");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Capture(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > _outputLines)
        {
            _output.TryDequeue(out _);
        }
    }

    private async Task WaitReadyAsync(TimeSpan within)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The API exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                if ((await client.GetAsync($"{BaseUrl}/health/ready")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The API at {BaseUrl} was not ready within {within}:\n{Output}");
    }
}
