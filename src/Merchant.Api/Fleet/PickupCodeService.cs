using System.Security.Cryptography;
using System.Text;
using Merchant.Api.Checkouts;
using Merchant.Api.Errors;
using Merchant.Api.Hosting;
using Merchant.Api.Idempotency;
using Merchant.Api.Persistence;
using Merchant.Api.Trades;
using Merchant.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Vending.Platform;

namespace Merchant.Api.Fleet;

/// <summary>
/// Pickup codes ops issue (CONTRACT §3.6): generated on the platform (not safe to repeat, so under an Idempotency-Key),
/// shown once in the answer and kept only as a keyed hash and the last digits; listed and cancelled through the platform;
/// and the replacement code that settles a failed pickup (DESIGN §2 rule 9).
/// </summary>
public sealed partial class PickupCodeService(
    MerchantDbContext db, TradeStore trades, IPlatformApi platform, PickupCodeHasher hasher, TimeProvider clock, ILogger<PickupCodeService> logger)
{
    private const int MaxCount = 100;

    public async Task<GeneratedCodes> GenerateAsync(string machineNo, PickupCodesRequest request, IdempotencyClaim claim, CancellationToken cancellationToken)
    {
        CheckoutValidation.MachineNo(machineNo);
        if (request.Count is < 1 or > MaxCount)
        {
            throw ApiProblem.Validation($"count must be between 1 and {MaxCount}.");
        }

        Validate(request.ProductId, request.Length, request.ExpiresAt);
        var codes = await GenerateOnPlatformAsync(machineNo, request.ProductId, request.Count, request.Length, request.ExpiresAt, cancellationToken);
        var records = codes.Select(c => NewRecord(machineNo, c, request.ProductId, request.ExpiresAt, replaces: null)).ToList();
        db.Set<PickupCodeRecord>().AddRange(records);
        await db.SaveChangesAsync(cancellationToken);
        LogGenerated(logger, machineNo, records.Count, request.ProductId);

        // The stored answer (replayed for the same key) has the last digits only: the codes exist nowhere but in this answer.
        claim.ShowOnce(new GeneratedCodes(machineNo, CodesShown: true, [.. records.Zip(codes, (r, c) => r.ToIssued() with { Code = c.Code })]));
        return new GeneratedCodes(machineNo, CodesShown: false, [.. records.Select(r => r.ToIssued())]);
    }

    /// <summary>The product's unused, unexpired codes as the platform lists them, with what we issued: never the code itself.</summary>
    public async Task<IReadOnlyList<PickupCodeView>> ListAsync(string machineNo, long productId, CancellationToken cancellationToken)
    {
        CheckoutValidation.MachineNo(machineNo);
        Validate(productId, null, null);
        IReadOnlyList<PickupCode> live;
        try
        {
            live = await platform.GetPickupCodesAsync(new QueryPickupCodesRequest(machineNo, productId), cancellationToken);
        }
        catch (PlatformException e)
        {
            throw e.ToProblem();
        }

        var ids = live.Select(c => c.Id).ToList();
        var ours = await db.Set<PickupCodeRecord>().AsNoTracking().Where(c => ids.Contains(c.PickupCodeId)).ToDictionaryAsync(c => c.PickupCodeId, cancellationToken);
        return [.. live.Select(c =>
        {
            var record = ours.GetValueOrDefault(c.Id);
            return new PickupCodeView(c.Id, productId, record?.CodeHint ?? PickupCodeHasher.Hint(c.Code), c.Status.ToString().ToLowerInvariant(),
                c.Quantity, record is not null)
            {
                CreatedAt = record?.CreatedAt,
                ExpiresAt = record?.ExpiresAt,
                ReplacesTradeId = record?.ReplacesTradeId,
            };
        })];
    }

    public async Task<CancelledCodes> CancelAsync(string machineNo, CancelCodesRequest request, CancellationToken cancellationToken)
    {
        CheckoutValidation.MachineNo(machineNo);
        if ((request.PickupCodeId is not null) == (request.All == true))
        {
            throw ApiProblem.Validation("Give pickup_code_id, or all: true (with product_id to cancel one product's codes).");
        }

        if (request.PickupCodeId is not null && request.ProductId is not null)
        {
            throw ApiProblem.Validation("product_id narrows all: true; a single code is named by pickup_code_id alone.");
        }

        IReadOnlyList<long> ids;
        try
        {
            if (request.PickupCodeId is { } one)
            {
                await platform.CancelPickupCodesAsync(CancelPickupCodesRequest.ById(machineNo, one), cancellationToken);
                ids = [one];
            }
            else if (request.ProductId is { } productId)
            {
                // The platform cancels one code or the whole machine's: a product's codes are cancelled one by one.
                ids = [.. (await platform.GetPickupCodesAsync(new QueryPickupCodesRequest(machineNo, productId), cancellationToken)).Select(c => c.Id)];
                foreach (var id in ids)
                {
                    await platform.CancelPickupCodesAsync(CancelPickupCodesRequest.ById(machineNo, id), cancellationToken);
                }
            }
            else
            {
                await platform.CancelPickupCodesAsync(CancelPickupCodesRequest.All(machineNo), cancellationToken);
                ids = await db.Set<PickupCodeRecord>().AsNoTracking().Where(c => c.MachineNo == machineNo && c.Status == PickupCodeRecord.Issued)
                    .Select(c => c.PickupCodeId).ToListAsync(cancellationToken);
            }
        }
        catch (PlatformException e) when (e.Category == PlatformErrorCategory.NotFound)
        {
            throw new ApiProblem(404, "pickup_code_not_found", "No unused pickup code matches; it may be used, expired or cancelled already.");
        }
        catch (PlatformException e)
        {
            throw e.ToProblem();
        }

        var now = clock.GetUtcNow();
        var idArray = ids.ToArray();
        await db.Database.ExecuteSqlAsync($"""
            UPDATE pickup_codes SET status = {PickupCodeRecord.Cancelled}, cancelled_at = {now}
            WHERE machine_no = {machineNo} AND pickup_code_id = ANY({idArray}) AND status = {PickupCodeRecord.Issued}
            """, cancellationToken);
        LogCancelled(logger, machineNo, ids.Count);
        return new CancelledCodes(machineNo, ids);
    }

    /// <summary>
    /// A new code for the product of a failed pickup (needs_attention), linked to it; the trade settles as replaced. The trade
    /// stays locked while the platform generates, so a second request waits and then finds it replaced: one code per trade.
    /// </summary>
    public async Task<ReplacementCode> ReplaceAsync(string tradeId, ReplacementCodeRequest request, CancellationToken cancellationToken)
    {
        Validate(null, request.Length, request.ExpiresAt);
        (string MachineNo, PickupCode Code)? generated = null;
        PickupCodeRecord? record = null;
        Trade trade;
        try
        {
            trade = await trades.ChangeAsync(tradeId, Actors.Ops, async t =>
            {
                if (t.Kind != TradeKind.Pickup)
                {
                    throw new ApiProblem(409, "not_a_pickup", "Only a pickup-code trade can be settled with a replacement code; refund a purchase's line instead.");
                }

                if (t.Status != TradeStatus.NeedsAttention)
                {
                    throw new InvalidTransitionException("trade", t.Status.ToString(), nameof(TradeTrigger.Replace));
                }

                var productId = t.Lines[0].ProductId;
                var code = (await GenerateOnPlatformAsync(t.MachineNo, productId, 1, request.Length, request.ExpiresAt, cancellationToken))[0];
                generated = (t.MachineNo, code);
                record = NewRecord(t.MachineNo, code, productId, request.ExpiresAt, replaces: t.TradeId);
                db.Set<PickupCodeRecord>().Add(record);
                t.Replace($"replacement pickup code {record.PickupCodeId} issued", clock.GetUtcNow());
                trades.Note(t.TradeId, "note", Actors.Ops, $"replacement pickup code {record.PickupCodeId} (…{record.CodeHint}) issued for product {productId}");
            }, cancellationToken) ?? throw ApiProblem.NotFound($"Trade {tradeId}");
        }
        catch (Exception) when (generated is { } orphan)
        {
            // Generated on the platform but not recorded with us (the commit failed): take it back rather than leave a code nobody knows of.
            await TryCancelAsync(orphan.MachineNo, orphan.Code.Id);
            throw;
        }

        LogReplaced(logger, tradeId, record!.PickupCodeId);
        var payment = await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.TradeId == tradeId, cancellationToken);
        return new ReplacementCode(trade.ToResponse(payment), record.ToIssued() with { Code = generated!.Value.Code.Code });
    }

    private async Task TryCancelAsync(string machineNo, long pickupCodeId)
    {
        try
        {
            await platform.CancelPickupCodesAsync(CancelPickupCodesRequest.ById(machineNo, pickupCodeId), CancellationToken.None);
        }
        catch (PlatformException e)
        {
            LogOrphan(logger, pickupCodeId, machineNo, e.Category);
        }
    }

    private async Task<IReadOnlyList<PickupCode>> GenerateOnPlatformAsync(string machineNo, long? productId, int count, int? length,
        DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        IReadOnlyList<PickupCode> codes;
        try
        {
            codes = await platform.GeneratePickupCodesAsync(new GeneratePickupCodesRequest(machineNo, productId)
            {
                Count = count,
                CodeLength = length,
                ExpiresAt = expiresAt,
            }, cancellationToken);
        }
        catch (PlatformException e) when (e.Category == PlatformErrorCategory.NotFound)
        {
            throw new ApiProblem(404, "product_not_found", $"Product {productId} is not sold on machine {machineNo}.");
        }
        catch (PlatformException e)
        {
            throw e.ToProblem();
        }

        if (codes.Count == 0 || codes.Any(c => c.Id <= 0 || c.Code.Length == 0))
        {
            // Without ids the codes could be neither listed nor cancelled by ops: treat the answer as unusable.
            throw ApiProblem.PlatformUnavailable("The platform's answer named no usable pickup codes.");
        }

        return codes;
    }

    private PickupCodeRecord NewRecord(string machineNo, PickupCode code, long? productId, DateTimeOffset? expiresAt, string? replaces) => new()
    {
        PickupCodeId = code.Id,
        MachineNo = machineNo,
        ProductId = productId ?? code.ProductId,
        CodeHash = hasher.Hash(machineNo, code.Code),
        CodeHint = PickupCodeHasher.Hint(code.Code),
        CodeLength = code.Code.Length,
        ExpiresAt = expiresAt,
        Status = PickupCodeRecord.Issued,
        ReplacesTradeId = replaces,
        CreatedAt = clock.GetUtcNow(),
    };

    private void Validate(long? productId, int? length, DateTimeOffset? expiresAt)
    {
        if (productId is <= 0)
        {
            throw ApiProblem.Validation("product_id must be positive.");
        }

        if (length is < 6 or > 10)
        {
            throw ApiProblem.Validation("length must be between 6 and 10 (the platform's limits).");
        }

        if (expiresAt is { } at && at <= clock.GetUtcNow())
        {
            throw ApiProblem.Validation("expires_at must be in the future.");
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Machine {MachineNo}: {Count} pickup code(s) generated (product {ProductId})")]
    private static partial void LogGenerated(ILogger logger, string machineNo, int count, long? productId);

    [LoggerMessage(2, LogLevel.Information, "Machine {MachineNo}: {Count} pickup code(s) cancelled")]
    private static partial void LogCancelled(ILogger logger, string machineNo, int count);

    [LoggerMessage(3, LogLevel.Information, "Trade {TradeId} settled as replaced by pickup code {PickupCodeId}")]
    private static partial void LogReplaced(ILogger logger, string tradeId, long pickupCodeId);

    [LoggerMessage(4, LogLevel.Error, "Pickup code {PickupCodeId} on machine {MachineNo} was generated but not recorded, and could not be cancelled ({Category}): cancel it by hand")]
    private static partial void LogOrphan(ILogger logger, long pickupCodeId, string machineNo, PlatformErrorCategory category);
}

/// <summary>
/// What we keep of a pickup code: an HMAC under a key derived from <c>Merchant:NotifySecret</c> (a plain hash of six digits
/// is reversed by trying a million), and its last three digits to tell codes apart when a customer reads one out.
/// </summary>
public sealed class PickupCodeHasher(IOptions<MerchantOptions> options)
{
    private const int HintDigits = 3;
    private readonly byte[] _key = HMACSHA256.HashData(Encoding.UTF8.GetBytes(options.Value.NotifySecret), "pickup-codes"u8);

    public string Hash(string machineNo, string code) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{machineNo}:{code}")));

    public static string Hint(string code) => code.Length <= HintDigits ? "" : code[^HintDigits..];
}

internal static class PickupCodeMapping
{
    public static IssuedCode ToIssued(this PickupCodeRecord record) =>
        new(record.PickupCodeId, record.ProductId, record.CodeHint, record.ExpiresAt);
}
