using System.Globalization;
using Merchant.Api.Dispensing;
using Merchant.Api.Errors;
using Merchant.Api.Hosting;
using Merchant.Api.Jobs;
using Merchant.Api.Persistence;
using Merchant.Api.PlatformNotify;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Vending.Platform;

namespace Merchant.Api.Fleet;

/// <summary>
/// Ops test-dispense a slot (CONTRACT §3.7 /deliveries/debug). The request queues the test dispense and the dispatcher starts
/// it in the machine's turn, exactly like a line (decision 0019); the request then waits for the result a while.
/// </summary>
public sealed class TestDispenseService(
    MerchantDbContext db, FleetService fleet, Dispatcher dispatcher, TimeProvider clock, IOptions<FleetOptions> options)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    /// <summary>The test dispense and whether it finished within <see cref="FleetOptions.TestDispenseWait"/>.</summary>
    public async Task<(TestDispenseView View, bool Finished)> RunAsync(string machineNo, TestDispenseRequest request, CancellationToken cancellationToken)
    {
        var slot = await fleet.ResolveSlotAsync(machineNo, request.Slot, cancellationToken);
        var test = new TestDispense
        {
            MachineNo = machineNo,
            Slot = slot.Slot!,
            ProductId = slot.ProductId,
            Status = TestDispense.Queued,
            RequestedAt = clock.GetUtcNow(),
        };
        if (!await dispatcher.QueueTestAsync(test, onlyIfIdle: request.Wait == false, cancellationToken))
        {
            throw new ApiProblem(409, "machine_busy", "The machine is running another command; ask again shortly, or let the test dispense wait its turn.");
        }

        await dispatcher.DispatchAsync(machineNo, cancellationToken);
        var deadline = clock.GetUtcNow() + options.Value.TestDispenseWait;
        while (true)
        {
            var current = await FindAsync(test.TestDispenseId, cancellationToken);
            if (current.IsFinished || clock.GetUtcNow() >= deadline)
            {
                return (current.ToView(), current.IsFinished);
            }

            await Task.Delay(Poll, clock, cancellationToken);
        }
    }

    public async Task<TestDispenseView> GetAsync(string machineNo, long testDispenseId, CancellationToken cancellationToken)
    {
        var test = await db.Set<TestDispense>().AsNoTracking()
            .SingleOrDefaultAsync(t => t.TestDispenseId == testDispenseId && t.MachineNo == machineNo, cancellationToken)
            ?? throw ApiProblem.NotFound($"Test dispense {testDispenseId}");
        return test.ToView();
    }

    private Task<TestDispense> FindAsync(long testDispenseId, CancellationToken cancellationToken) =>
        db.Set<TestDispense>().AsNoTracking().SingleAsync(t => t.TestDispenseId == testDispenseId, cancellationToken);
}

internal static class TestDispenseMapping
{
    public static TestDispenseView ToView(this TestDispense test) =>
        new(test.TestDispenseId, test.MachineNo, test.Slot, test.ProductId, test.Status, test.RequestedAt)
        {
            StartedAt = test.StartedAt,
            FinishedAt = test.FinishedAt,
            FloorStatus = test.FloorStatus,
            FailReason = test.FailReason,
            ClearedFault = test.ClearedFault,
        };

    public static long TestDispenseId(this JobContext job) =>
        long.Parse(job.Payload ?? throw new InvalidOperationException($"Job {job.JobId} names no test dispense."), CultureInfo.InvariantCulture);
}

/// <summary>
/// Sends a test dispense's command, at most once (like a line's, DESIGN §2 rule 6): a command whose fate is unknown is
/// never repeated; the machine is held until its callback or the device's own timeout has surely passed.
/// </summary>
public sealed partial class TestDispenseHandler(
    MerchantDbContext db, IPlatformApi platform, TestDispenseResults results, NotifyTokens tokens, PublicUrls urls,
    TimeProvider clock, IOptions<DispenseOptions> options, ILogger<TestDispenseHandler> logger) : IJobHandler
{
    /// <summary>Past the platform's 120 s device fallback (CONTRACT §3.7), a command it took has surely been called back.</summary>
    public static readonly TimeSpan DeviceGrace = TimeSpan.FromSeconds(150);

    public async Task<JobOutcome> HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        var id = job.TestDispenseId();
        var test = await db.Set<TestDispense>().AsNoTracking().SingleOrDefaultAsync(t => t.TestDispenseId == id, cancellationToken);
        if (test is null || test.Status != TestDispense.Dispensing || test.DeliveryId is not null)
        {
            return JobOutcome.Done;
        }

        if (job.MaybeSentBefore)
        {
            await VerifyLaterAsync(id, DeviceGrace, cancellationToken);
            return JobOutcome.Done;
        }

        await job.MarkSendingAsync(cancellationToken);
        try
        {
            var result = await platform.DebugDispenseAsync(new DebugDispenseRequest(test.MachineNo)
            {
                ProductId = test.ProductId,
                NotifyUrl = urls.NotifyUrl(tokens.For(TestDispense.SubjectOf(id))),
                // Undocumented beyond its path: the slot is named as the platform names it, beside the product it holds.
                SlotFields = new Dictionary<string, string> { ["channel"] = test.Slot },
            }, cancellationToken);
            await results.RecordSentAsync(id, string.IsNullOrEmpty(result.DeliveryId) ? null : result.DeliveryId,
                result.OrderId > 0 ? result.OrderId : null, result.RecordId > 0 ? result.RecordId : null, cancellationToken);
            await VerifyLaterAsync(id, options.Value.ResultTimeout, cancellationToken);
            LogSent(logger, id, test.Slot, test.MachineNo);
            return JobOutcome.Done;
        }
        catch (PlatformException e) when (e.OutcomeUnknown || e.Category == PlatformErrorCategory.OrderStatusInvalid)
        {
            LogRefused(logger, id, test.MachineNo, e.Category, true);
            await VerifyLaterAsync(id, DeviceGrace, cancellationToken);
            return JobOutcome.Done;
        }
        catch (PlatformException e) when (e.Category is PlatformErrorCategory.MachineBusy or PlatformErrorCategory.MachineOffline
            or PlatformErrorCategory.Transient or PlatformErrorCategory.Auth)
        {
            LogRefused(logger, id, test.MachineNo, e.Category, false);
            return JobOutcome.Retry($"{e.Category}: {e.PlatformMessage}", e.Category == PlatformErrorCategory.MachineBusy ? TimeSpan.FromSeconds(2) : null, notSent: true);
        }
        catch (PlatformException e)
        {
            LogRefused(logger, id, test.MachineNo, e.Category, false);
            await results.ApplyAsync(id, new TestDispenseOutcome(TestDispense.Failed, null,
                $"not dispensed: platform refused ({e.Category}): {e.PlatformMessage}", ReachedMachine: false), cancellationToken);
            return JobOutcome.Done;
        }
    }

    public async Task OnDeadlineAsync(JobContext job, string lastError, CancellationToken cancellationToken) =>
        // Every attempt was refused before reaching the machine: the slot was never tried.
        await results.ApplyAsync(job.TestDispenseId(), new TestDispenseOutcome(TestDispense.Failed, null, $"not dispensed: {lastError}", ReachedMachine: false),
            cancellationToken);

    private async Task VerifyLaterAsync(long id, TimeSpan after, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        db.Enqueue(JobKinds.TestDispensePoll, now, options.Value.AttentionAfter, runAt: now + after,
            payload: id.ToString(CultureInfo.InvariantCulture), dedupeKey: $"poll-test-dispense:{id}");
        await db.SaveChangesAsync(cancellationToken);
    }

    [LoggerMessage(1, LogLevel.Information, "Test dispense {TestDispenseId}: command for slot {Slot} accepted by machine {MachineNo}")]
    private static partial void LogSent(ILogger logger, long testDispenseId, string slot, string machineNo);

    [LoggerMessage(2, LogLevel.Warning, "Test dispense {TestDispenseId} on machine {MachineNo} refused: {Category}, outcome unknown: {OutcomeUnknown}")]
    private static partial void LogRefused(ILogger logger, long testDispenseId, string machineNo, PlatformErrorCategory category, bool outcomeUnknown);
}

/// <summary>Settles a test dispense no callback settled: asks the platform about its delivery, or gives it up as unknown.</summary>
public sealed class TestDispensePollHandler(MerchantDbContext db, IPlatformApi platform, TestDispenseResults results, IOptions<DispenseOptions> options)
    : IJobHandler
{
    public async Task<JobOutcome> HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        var id = job.TestDispenseId();
        var test = await db.Set<TestDispense>().AsNoTracking().SingleOrDefaultAsync(t => t.TestDispenseId == id, cancellationToken);
        if (test is null || test.Status != TestDispense.Dispensing)
        {
            return JobOutcome.Done;
        }

        if (test.DeliveryId is null)
        {
            // The command's fate was never known and no callback came within the device's own timeout: nothing to ask.
            await results.ApplyAsync(id, new TestDispenseOutcome(TestDispense.Unknown, null, "no result: the command's outcome is unknown"), cancellationToken);
            return JobOutcome.Done;
        }

        DispenseResult delivery;
        try
        {
            delivery = await platform.GetDispenseAsync(new QueryDispenseRequest(test.MachineNo, test.DeliveryId), cancellationToken);
        }
        catch (PlatformException e)
        {
            return JobOutcome.Retry($"query delivery: {e.Category} ({e.Code})", options.Value.PollInterval);
        }

        if (Judge(delivery) is not { } status)
        {
            return JobOutcome.Retry($"delivery still {delivery.Status}", options.Value.PollInterval);
        }

        // The query carries no floor_status: a failure leaves the slot's state as the machines last reported it.
        await results.ApplyAsync(id, new TestDispenseOutcome(status, status == TestDispense.Succeeded ? 1 : null,
            status == TestDispense.Failed ? (string.IsNullOrEmpty(delivery.FailReason) ? "platform reports a failure" : delivery.FailReason) : null),
            cancellationToken);
        return JobOutcome.Done;
    }

    public Task OnDeadlineAsync(JobContext job, string lastError, CancellationToken cancellationToken) =>
        results.ApplyAsync(job.TestDispenseId(), new TestDispenseOutcome(TestDispense.Unknown, null, $"no result: {lastError}"), cancellationToken);

    /// <summary>The delivery's status is free text (CONTRACT §3.7): a pickup time or "success" is a success, "fail"/"timeout" a failure.</summary>
    public static string? Judge(DispenseResult delivery)
    {
        var status = delivery.Status.ToLowerInvariant();
        if (status.Contains("success", StringComparison.Ordinal) || delivery.PickupAt.Length > 0)
        {
            return TestDispense.Succeeded;
        }

        return status.Contains("fail", StringComparison.Ordinal) || status.Contains("timeout", StringComparison.Ordinal) || delivery.FailReason.Length > 0
            ? TestDispense.Failed
            : null;
    }
}
