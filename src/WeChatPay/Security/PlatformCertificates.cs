using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace WeChatPay;

/// <summary>
/// The platform certificates of certificate mode, downloaded on first use: every unexpired one kept by serial, refreshed
/// every 12 h and when a signature names an unknown serial — at most once per lookup and once a minute, so a stream of
/// forged serials cannot become a stream of downloads. A failed refresh keeps what is known.
/// </summary>
internal sealed class PlatformCertificates(IServiceProvider services, TimeProvider time, ILogger<PlatformCertificates> logger)
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromHours(12);
    public static readonly TimeSpan MinimumRefreshGap = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private Snapshot _snapshot = new(new Dictionary<string, Known>(), null, null);
    private Task<Snapshot>? _refresh;

    public async ValueTask<RSA?> FindAsync(string serial, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var snapshot = Volatile.Read(ref _snapshot);
        if (snapshot.MayRefresh(now) && (snapshot.IsStale(now) || snapshot.Find(serial, now) is null))
        {
            snapshot = await RefreshAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return snapshot.Find(serial, time.GetUtcNow());
    }

    // One download at a time, shared by every caller that wants it; a caller that gives up does not cancel it for the rest.
    private Task<Snapshot> RefreshAsync()
    {
        lock (_gate)
        {
            if (_refresh is null || _refresh.IsCompleted)
            {
                _refresh = DownloadAsync();
            }

            return _refresh;
        }
    }

    private async Task<Snapshot> DownloadAsync()
    {
        var attemptedAt = time.GetUtcNow();
        var previous = Volatile.Read(ref _snapshot);
        Snapshot next;
        try
        {
            var certificates = await services.GetRequiredService<PlatformCertificateDownloader>().DownloadAsync(CancellationToken.None).ConfigureAwait(false);
            var known = certificates.DistinctBy(certificate => certificate.SerialNo, StringComparer.OrdinalIgnoreCase).ToDictionary(
                certificate => certificate.SerialNo,
                certificate => new Known(certificate.Certificate.GetRSAPublicKey()!, certificate.NotAfter),
                StringComparer.OrdinalIgnoreCase);
            next = new Snapshot(known, attemptedAt, attemptedAt);
            Log.CertificatesRefreshed(logger, string.Join(", ", known.Keys));
        }
        catch (Exception exception)
        {
            // Verification promises an answer, never an exception: whatever broke the download, the known keys still stand.
            Log.CertificateRefreshFailed(logger, exception, previous.BySerial.Count);
            next = previous with { AttemptedAt = attemptedAt };
        }

        Volatile.Write(ref _snapshot, next);
        return next;
    }

    private sealed record Known(RSA Key, DateTimeOffset NotAfter);

    private sealed record Snapshot(IReadOnlyDictionary<string, Known> BySerial, DateTimeOffset? RefreshedAt, DateTimeOffset? AttemptedAt)
    {
        public bool IsStale(DateTimeOffset now) => RefreshedAt is not { } refreshed || now - refreshed >= RefreshInterval;

        public bool MayRefresh(DateTimeOffset now) => AttemptedAt is not { } attempted || now - attempted >= MinimumRefreshGap;

        public RSA? Find(string serial, DateTimeOffset now) =>
            BySerial.TryGetValue(serial, out var known) && known.NotAfter > now ? known.Key : null;
    }
}
