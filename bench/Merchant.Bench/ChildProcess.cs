using System.Collections.Concurrent;
using System.Diagnostics;
using Merchant.Testing;

namespace Merchant.Bench;

/// <summary>
/// A .NET program of this repository as its own process (the baseline, or the API when its whole output is needed),
/// from the build of the same configuration as this program; its output is kept in memory or appended to a file.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly StreamWriter? _outputFile;

    private ChildProcess(Process process, string baseUrl, string? outputFile)
    {
        _process = process;
        BaseUrl = baseUrl;
        _outputFile = outputFile is null ? null : new StreamWriter(outputFile, append: true) { AutoFlush = true };
    }

    public string BaseUrl { get; }

    public int Pid => _process.Id;

    public string Output => string.Join('\n', _output);

    public static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <param name="project">the project folder relative to the repository root, e.g. <c>bench/Merchant.Bench.Baseline</c></param>
    public static async Task<ChildProcess> StartAsync(string project, IDictionary<string, string?> settings, string readyPath,
        string environment = "Production", string? outputFile = null)
    {
        var root = ApiProcess.RepositoryRoot();
        var dll = Path.Combine(root, project, "bin", Configuration, "net10.0", Path.GetFileName(project) + ".dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Build it first (dotnet build -c {Configuration} {project}): {dll} is missing.");
        }

        var baseUrl = $"http://127.0.0.1:{ApiProcess.FreePort()}";
        var start = new ProcessStartInfo("dotnet", $"\"{dll}\" --urls {baseUrl}")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start)!;
        var child = new ChildProcess(process, baseUrl, outputFile);
        process.OutputDataReceived += (_, e) => child.Capture(e.Data);
        process.ErrorDataReceived += (_, e) => child.Capture(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await child.WaitReadyAsync(readyPath, TimeSpan.FromSeconds(60));
        return child;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _outputFile?.Dispose();
    }

    private void Capture(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _outputFile?.WriteLine(line);
        }

        _output.Enqueue(line);
        while (_output.Count > 500)
        {
            _output.TryDequeue(out _);
        }
    }

    private async Task WaitReadyAsync(string readyPath, TimeSpan within)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The process exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                if ((await client.GetAsync($"{BaseUrl}{readyPath}")).IsSuccessStatusCode)
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

            await Task.Delay(100);
        }

        throw new TimeoutException($"The process at {BaseUrl} was not ready within {within}:\n{Output}");
    }
}
