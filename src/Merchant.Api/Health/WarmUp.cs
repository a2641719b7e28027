using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Merchant.Api.Hosting;
using Merchant.Api.Jobs;
using Microsoft.EntityFrameworkCore;
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
            await RehearseAsync(trades, stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A database not up yet is the readiness check's business; the queries then compile on first use.
            LogQueriesSkipped(logger, $"{e.GetType().Name}: {e.GetBaseException().Message}");
        }

        state.Finish(clock.Elapsed);
        LogWarm(logger, methods, types, clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>
    /// A whole trade's life through EF Core in one transaction that is rolled back: inserted with its payment, job, raw
    /// callback and provider notification, then paid, confirmed, dispensed (one line delivered, one failed and refunded)
    /// and settled, each step saved as the services save it. The first burst after a start had 40 payments wait seconds
    /// on one thread compiling EF's save pipeline (BatchExecutor and the command builders, fully optimised with tiering
    /// off) while the other request threads blocked behind the same JIT; a single trade before the burst took that to
    /// a quarter (bench `burst --prime 1`). Nothing is left behind: the rows, the counters their triggers keep and the
    /// NOTIFY of the job insert all go with the rollback; the trade id is a string no checkout can make.
    /// </summary>
    private static async Task RehearseAsync(TradeStore trades, CancellationToken cancellationToken)
    {
        var db = trades.Db;
        var now = DateTimeOffset.UtcNow;
        var tradeId = $"warm-up-{Guid.NewGuid():N}";
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            var trade = Domain.Trade.NewPurchase(tradeId, "warm-up", [new(1, "warm-up", 100), new(2, "warm-up", 100)], null, now);
            trade.PlaceOrder(long.MinValue + Random.Shared.Next(), [new(long.MinValue + 1, 1, 1, 100), new(long.MinValue + 2, 2, 1, 100)], 200,
                now, TimeSpan.FromMinutes(15), now);
            db.Trades.Add(trade);
            // The trade first: EF does not know the other tables' foreign keys to it, so it would not order the inserts.
            await trades.SaveAsync(trade, "warm-up", cancellationToken);
            db.Payments.Add(new Payments.Payment
            {
                TradeId = tradeId, Provider = "warm-up", ProviderPaymentId = tradeId, Status = Payments.Payment.Pending, AmountFen = 200,
                CreatedAt = now, UpdatedAt = now,
            });
            db.PaymentNotifications.Add(new Payments.PaymentNotificationRecord
            {
                Provider = "warm-up", EventId = tradeId, TradeId = tradeId, Raw = "{}", Body = "{}", ReceivedAt = now,
            });
            db.PlatformCallbacks.Add(new PlatformNotify.PlatformCallback { TradeId = tradeId, ReceivedAt = now, Body = "{}" });
            trades.Note(tradeId, "note", "warm-up", "warm-up");
            await trades.SaveAsync(trade, "warm-up", cancellationToken);

            var steps = new Action<Domain.Trade>[]
            {
                t =>
                {
                    t.Pay(now, now);
                    db.Enqueue(Jobs.JobKinds.ConfirmPaid, now, TimeSpan.FromMinutes(1), tradeId, dedupeKey: $"confirm:{tradeId}");
                },
                t => t.ConfirmWithPlatform(now),
                t => t.StartDispensing(1, now),
                t => t.RecordDelivery(1, "warm-up"),
                t => t.RecordDispenseResult(1, dispensed: true, null, now),
                t => t.StartDispensing(2, now),
                t =>
                {
                    t.RecordDispenseResult(2, dispensed: false, "warm-up", now);
                    Payments.Refunds.Request(db, t, t.Line(2), "warm-up", now, TimeSpan.FromMinutes(1));
                    t.Settle(now);
                },
            };
            foreach (var step in steps)
            {
                var locked = await trades.LockAsync(tradeId, cancellationToken) ?? throw new InvalidOperationException("warm-up trade vanished");
                step(locked);
                trades.Note(tradeId, "platform_call", "warm-up", "warm-up", "ok", 1, System.Diagnostics.Stopwatch.GetTimestamp());
                await trades.SaveAsync(locked, "warm-up", cancellationToken);
            }

            await db.Payments.Where(p => p.TradeId == tradeId).ExecuteUpdateAsync(u => u.SetProperty(p => p.Status, Payments.Payment.Succeeded), cancellationToken);
            await db.PaymentNotifications.Where(n => n.TradeId == tradeId)
                .ExecuteUpdateAsync(u => u.SetProperty(n => n.AppliedAt, now), cancellationToken);
        }
        finally
        {
            await transaction.RollbackAsync(CancellationToken.None);
            db.ChangeTracker.Clear();
        }
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

    [LoggerMessage(1, LogLevel.Information, "Warm: {Methods} methods compiled, JSON metadata of {Types} wire types built, trade queries run and a trade's life rehearsed (rolled back), in {ElapsedMs:F0} ms")]
    private static partial void LogWarm(ILogger logger, int methods, int types, double elapsedMs);

    [LoggerMessage(2, LogLevel.Warning, "Warm-up skipped the trade queries ({Error}); they compile on first use")]
    private static partial void LogQueriesSkipped(ILogger logger, string error);
}
