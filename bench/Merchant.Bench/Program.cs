using System.Diagnostics;
using Merchant.Bench;

// Benchmarks of Merchant.Api; see bench/README.md. Every server binds to 127.0.0.1; every load loop is bounded.
// The in-process simulator logs through the console logger: keep stdout for the report.
Environment.SetEnvironmentVariable("Logging__Console__LogToStandardErrorThreshold", "Trace");
var args2 = new Args(args.Skip(1));
var command = args.FirstOrDefault() ?? "help";
var commands = new Dictionary<string, Func<Args, Report, Task>>(StringComparer.OrdinalIgnoreCase)
{
    ["checkout"] = CheckoutBenchmark.RunAsync,
    ["callbacks"] = CallbackBenchmark.RunAsync,
    ["latency"] = LatencyBenchmark.RunAsync,
    ["orchestration"] = OrchestrationBenchmark.RunAsync,
    ["footprint"] = FootprintBenchmark.RunAsync,
    ["burst"] = BurstBenchmark.RunAsync,
    ["profile"] = ProfileBenchmark.RunAsync,
    ["ops"] = OpsBenchmark.RunAsync,
    ["seed"] = SeedCommand.RunAsync,
    ["retention"] = RetentionBenchmark.RunAsync,
};

if (command is "help" or "--help" or "-h" || (command != "all" && !commands.ContainsKey(command)))
{
    Console.WriteLine("""
        usage: dotnet run -c Release --project bench/Merchant.Bench -- <command> [options] [--smoke]

          checkout       --connections 16,64,256 --duration 20s --warmup 10s --machines 50 --lines 2 --target both|service|baseline
          callbacks      --machines 1000 --connections 64 --duration 15s
          latency        --trades 300 --rate 25
          orchestration  --machines 500 --trades-per-machine 4 --lines 2 --instances 1,3 --result-delay-ms 1 --timeout 180s
          footprint      --checkouts 10000 --connections 64 --machines 50
          burst          --machines 40 --items 4 --device-ms 500 --bursts 2 (cold, then warm) --prime 0 (single trades paid first)
          profile        --trades 200 --lines 2
          ops            --trades 0,1000000 --requests 200 --machines 50 --days 90 --seed-workers 2   (ops endpoints against seeded history)
                         --throughput-at 0,1000000 --duration 15s --callback-machines 1000   (checkout and callbacks beside it)
          retention      --trades 200000 --ends-days-ago 200   (bytes per settled trade before and after the retention job)
          seed           --trades 1000000 --connection "Host=…;Database=…" --machines 50 --days 90   (history for an operator)
          all            every command above except profile and seed, with its defaults (or tiny sizes with --smoke)

        common: --smoke (seconds, tiny sizes, for CI; timings are printed, never asserted)
                --api-log-level Warning (Serilog minimum level of the API processes)  --pool-size N (Npgsql MaxPoolSize; default: the service's, 32)
                --api-settings "DOTNET_gcServer=0;Jobs:Concurrency=32" (extra settings / environment of the API processes)
        """);
    return command is "help" or "--help" or "-h" ? 0 : 2;
}

var report = new Report();
var clock = Stopwatch.StartNew();
report.Line($"## Merchant benchmarks — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC{(args2.Flag("smoke") ? " (smoke: tiny sizes, figures meaningless)" : "")}");
report.Line();
report.Line($"Machine: {Report.Machine()}. Load average at start: {File.ReadAllText("/proc/loadavg").Split(' ')[0]}. Command: `{string.Join(' ', args)}`");
report.Line();
try
{
    foreach (var name in command == "all" ? commands.Keys.Where(k => k is not ("profile" or "seed")).ToArray() : [command])
    {
        var started = clock.Elapsed;
        await commands[name](args2, report);
        BenchStack.Log($"{name} done in {(clock.Elapsed - started).TotalSeconds:F1} s");
    }
}
finally
{
    await BenchStack.DisposeSharedAsync();
    var path = report.Save(command);
    BenchStack.Log($"results: {path} ({clock.Elapsed.TotalSeconds:F1} s in all)");
}

// Full runs report what went wrong in their tables; the CI smoke fails on it, so a broken path cannot pass quietly.
if (args2.Flag("smoke") && !BenchStack.Problems.IsEmpty)
{
    BenchStack.Log($"smoke failed: {BenchStack.Problems.Count} problem(s): {string.Join("; ", BenchStack.Problems)}");
    return 1;
}

return 0;
