using Merchant.Api.Persistence;

namespace Merchant.Api.Jobs;

/// <summary>Does the work of one job kind. Handlers must be safe to run again after a crash.</summary>
public interface IJobHandler
{
    Task<JobOutcome> HandleAsync(JobContext job, CancellationToken cancellationToken);

    /// <summary>The job ran out of time: compensate (refund) or escalate (needs_attention).</summary>
    Task OnDeadlineAsync(JobContext job, string lastError, CancellationToken cancellationToken);
}

public sealed record JobOutcome(JobOutcomeKind Kind, string? Error = null, TimeSpan? RetryAfter = null, bool ClearSent = false)
{
    public static readonly JobOutcome Done = new(JobOutcomeKind.Done);

    /// <summary>Try again later; <paramref name="notSent"/> says the unrepeatable call certainly did not happen.</summary>
    public static JobOutcome Retry(string error, TimeSpan? after = null, bool notSent = false) =>
        new(JobOutcomeKind.Retry, error, after, notSent);

    /// <summary>No point retrying: run the deadline compensation now.</summary>
    public static JobOutcome GiveUp(string error) => new(JobOutcomeKind.GiveUp, error);
}

public enum JobOutcomeKind
{
    Done,
    Retry,
    GiveUp,
}

/// <summary>A claimed job as its handler sees it.</summary>
public sealed class JobContext(Job job, JobStore store)
{
    public long JobId => job.JobId;

    public string Kind => job.Kind;

    public string? TradeId => job.TradeId;

    public int? LineId => job.LineId;

    public string? Payload => job.Payload;

    public int Attempts => job.Attempts;

    public DateTimeOffset Deadline => job.Deadline;

    public DateTimeOffset CreatedAt => job.CreatedAt;

    /// <summary>An earlier attempt may have made this job's unrepeatable call: verify instead of repeating it.</summary>
    public bool MaybeSentBefore { get; } = job.SentAt is not null;

    public string RequiredTradeId => TradeId ?? throw new InvalidOperationException($"Job {JobId} ({Kind}) has no trade.");

    public int RequiredLineId => LineId ?? throw new InvalidOperationException($"Job {JobId} ({Kind}) has no line.");

    /// <summary>Durably notes that the unrepeatable call is about to be made, before making it.</summary>
    public Task MarkSendingAsync(CancellationToken cancellationToken) => store.MarkSentAsync(JobId, cancellationToken);
}

/// <summary>Which handler runs which job kind; handlers are scoped (they use the DbContext).</summary>
public sealed record JobHandlerRegistration(string Kind, Type HandlerType);

public static class JobHandlerServiceCollectionExtensions
{
    public static IServiceCollection AddJobHandler<THandler>(this IServiceCollection services, string kind)
        where THandler : class, IJobHandler
    {
        services.AddScoped<THandler>();
        services.AddSingleton(new JobHandlerRegistration(kind, typeof(THandler)));
        return services;
    }
}

/// <summary>Writes job rows inside the caller's unit of work, so a job exists exactly when its state change does.</summary>
public static class JobQueue
{
    public static Job Enqueue(this MerchantDbContext db, string kind, DateTimeOffset now, TimeSpan deadlineAfter,
        string? tradeId = null, int? lineId = null, DateTimeOffset? runAt = null, string? payload = null, string? dedupeKey = null)
    {
        var job = New(kind, now, deadlineAfter, tradeId, lineId, runAt, payload, dedupeKey);
        db.Jobs.Add(job);
        return job;
    }

    /// <summary>A job row for a writer that does not go through the DbContext (<see cref="Checkouts.CheckoutWriter"/>).</summary>
    public static Job New(string kind, DateTimeOffset now, TimeSpan deadlineAfter,
        string? tradeId = null, int? lineId = null, DateTimeOffset? runAt = null, string? payload = null, string? dedupeKey = null) =>
        new()
        {
            Kind = kind,
            TradeId = tradeId,
            LineId = lineId,
            Payload = payload,
            DedupeKey = dedupeKey,
            Status = Job.Pending,
            RunAt = runAt ?? now,
            Deadline = (runAt ?? now) + deadlineAfter,
            Attempts = 0,
            CreatedAt = now,
            UpdatedAt = now,
        };

    /// <summary>
    /// A job the current request runs itself, right after this unit of work commits (checkout's create-order,
    /// pickup's consume): already claimed and marked as sent, so a worker only sees it if the request died mid-call.
    /// </summary>
    public static Job EnqueueClaimed(this MerchantDbContext db, string kind, DateTimeOffset now, TimeSpan deadlineAfter, string tradeId, string claimedBy)
    {
        var job = db.Enqueue(kind, now, deadlineAfter, tradeId).ClaimedBy(claimedBy, now, RequestLease);
        job.SentAt = now;
        return job;
    }

    /// <summary>How long a request's own job (create-order, consume) stays its own: longer than the request can run.</summary>
    public static readonly TimeSpan RequestLease = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Writes the job already leased to <paramref name="owner"/>, for the writer to run right after its commit.
    /// No worker takes it unless the lease runs out, and the NOTIFY trigger skips it.
    /// </summary>
    public static Job ClaimedBy(this Job job, string owner, DateTimeOffset now, TimeSpan lease)
    {
        job.Attempts = 1;
        job.LeaseUntil = now + lease;
        job.LockedBy = owner;
        return job;
    }
}
