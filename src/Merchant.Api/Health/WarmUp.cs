using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Merchant.Api.Hosting;
using Merchant.Api.Trades;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Merchant.Api.Health;

/// <summary><c>WarmUp:*</c>: whether the instance compiles its hot paths before it says it is ready.</summary>
public sealed class WarmUpOptions
{
    /// <summary>Null: on everywhere except the Testing environment, whose hundreds of short-lived hosts want a fast start.</summary>
    public bool? Enabled { get; set; }
}

/// <summary>A nullable bool has nothing to check beyond binding (which names the key of a malformed value).</summary>
public sealed class WarmUpOptionsValidator : IValidateOptions<WarmUpOptions>
{
    public ValidateOptionsResult Validate(string? name, WarmUpOptions options) => ValidateOptionsResult.Success;
}

/// <summary>Set once the warm-up has run (or was skipped); <see cref="WarmUpCheck"/> reports it.</summary>
public sealed class WarmUpState
{
    private volatile bool _done;

    public bool Done => _done;

    public TimeSpan Took { get; private set; }

    public void Finish(TimeSpan took)
    {
        Took = took;
        _done = true;
    }
}

/// <summary>Not ready until warm: a load balancer sends no customer to an instance still compiling its first payment.</summary>
public sealed class WarmUpCheck(WarmUpState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.Done
            ? HealthCheckResult.Healthy($"warm ({state.Took.TotalSeconds:0.0} s)")
            : HealthCheckResult.Unhealthy("warming up"));
}

/// <summary>
/// Issue 14: the first burst of payments after a start was 5–10× slower than the next (1.0 s vs 0.2 s to the first
/// command), because tiered compilation is off (decision 0008) and every method of the payment → dispense path was
/// compiled, fully optimised, while customers waited — with EF's query compilation and System.Text.Json's metadata on
/// top. Before the instance is ready this compiles every method of our own assemblies (RuntimeHelpers.PrepareMethod:
/// the JIT's work, without running anything), builds the JSON metadata of our wire types, and runs the trade store's
/// queries once on a trade id that cannot exist (no row is read or written). Generic instantiations made at run time
/// remain; the burst benchmark measures what is left.
/// </summary>
public sealed partial class WarmUpService(
    WarmUpState state, IOptions<WarmUpOptions> options, IOptions<Microsoft.AspNetCore.Mvc.JsonOptions> mvcJson, IHostEnvironment environment,
    IServiceScopeFactory scopes, ILogger<WarmUpService> logger)
    : BackgroundService
{
    private static readonly string[] Assemblies = ["Merchant.Api", "Merchant.Domain", "Vending.Platform", "WeChatPay"];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var clock = Stopwatch.StartNew();
        if (!(options.Value.Enabled ?? !environment.IsEnvironment("Testing")))
        {
            state.Finish(TimeSpan.Zero);
            return;
        }

        // Off the start-up thread: the server listens (live) while this runs; ready waits for it.
        var methods = await Task.Run(() => CompileMethods(stoppingToken), stoppingToken);
        var types = BuildJsonMetadata([WireJson.Options, mvcJson.Value.JsonSerializerOptions]);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var trades = scope.ServiceProvider.GetRequiredService<TradeStore>();
            const string Nobody = "0";
            await trades.FindAsync(Nobody, stoppingToken);
            await trades.ChangeAsync(Nobody, "warm-up", _ => { }, stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A database not up yet is the readiness check's business; the queries then compile on first use.
            LogQueriesSkipped(logger, e.GetType().Name);
        }

        state.Finish(clock.Elapsed);
        LogWarm(logger, methods, types, clock.Elapsed.TotalMilliseconds);
    }

    private static int CompileMethods(CancellationToken stoppingToken)
    {
        var count = 0;
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies().Where(a => Assemblies.Contains(a.GetName().Name)))
        {
            foreach (var type in SafeTypes(assembly).Where(t => !t.ContainsGenericParameters))
            {
                stoppingToken.ThrowIfCancellationRequested();
                const BindingFlags All = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
                foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
                {
                    if (method.IsAbstract || method.ContainsGenericParameters || method.GetMethodBody() is null)
                    {
                        continue;
                    }

                    try
                    {
                        RuntimeHelpers.PrepareMethod(method.MethodHandle);
                        count++;
                    }
                    catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException or BadImageFormatException)
                    {
                        // Some methods cannot be prepared on their own (e.g. needing an instantiation); they compile on first use.
                    }
                }
            }
        }

        return count;
    }

    /// <summary>JSON metadata of the API's own request and response types, as the first answers would build it.</summary>
    private static int BuildJsonMetadata(JsonSerializerOptions[] optionSets)
    {
        foreach (var set in optionSets.Where(o => !o.IsReadOnly && o.TypeInfoResolver is null))
        {
            // What the first serialization would set: without it GetTypeInfo refuses an options instance still mutable.
            set.TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver();
        }

        var count = 0;
        var api = typeof(WarmUpService).Assembly;
        foreach (var type in SafeTypes(api).Where(t => t is { IsPublic: true, IsClass: true, IsAbstract: false, ContainsGenericParameters: false }
            && (t.Name.EndsWith("Response", StringComparison.Ordinal) || t.Name.EndsWith("Request", StringComparison.Ordinal))))
        {
            try
            {
                foreach (var set in optionSets)
                {
                    set.GetTypeInfo(type);
                }

                count++;
            }
            catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException)
            {
                // A type the wire never carries as a whole; nothing to warm.
            }
        }

        return count;
    }

    private static IEnumerable<Type> SafeTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.OfType<Type>();
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Warm: {Methods} methods compiled, JSON metadata of {Types} wire types built, trade queries run, in {ElapsedMs:F0} ms")]
    private static partial void LogWarm(ILogger logger, int methods, int types, double elapsedMs);

    [LoggerMessage(2, LogLevel.Warning, "Warm-up skipped the trade queries ({Error}); they compile on first use")]
    private static partial void LogQueriesSkipped(ILogger logger, string error);
}
