using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Merchant.Api.Errors;
using Merchant.Api.Hosting;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Merchant.Api.Idempotency;

/// <summary>
/// Idempotency-Key handling (DESIGN §4), refereed by the primary key in PostgreSQL: the same key and body
/// replays the first answer, another body is 422, a request still running is 409.
/// </summary>
public sealed class IdempotencyService(NpgsqlDataSource dataSource, TimeProvider clock)
{
    public const string HeaderName = "Idempotency-Key";

    /// <summary>Kept at least this long (API contract: 24 hours).</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(48);

    // A request holding a key longer than this has died with its process; a retry may take the key over.
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    public Task<IActionResult> RunAsync<TRequest>(
        string scope, string? key, string route, TRequest request, int successStatus,
        Func<Task<object>> action, CancellationToken cancellationToken) =>
        RunAsync(scope, key, route, request, successStatus, _ => action(), cancellationToken);

    /// <summary>
    /// As above, handing the action its <see cref="IdempotencyClaim"/>: an action that writes its result in one last
    /// batch can store the answer there too (<see cref="IdempotencyClaim.CompletionSql"/>), saving a round trip.
    /// </summary>
    public async Task<IActionResult> RunAsync<TRequest>(
        string scope, string? key, string route, TRequest request, int successStatus,
        Func<IdempotencyClaim, Task<object>> action, CancellationToken cancellationToken)
    {
        key = Validate(key);
        var hash = Hash(route, request);
        var now = clock.GetUtcNow();
        if (!await TryClaimAsync(scope, key, hash, now, cancellationToken))
        {
            var existing = await ReadAsync(scope, key, cancellationToken)
                ?? throw new ApiProblem(409, "idempotency_request_in_flight", "A request with this Idempotency-Key is being processed.");
            if (existing.RequestHash != hash)
            {
                throw new ApiProblem(422, "idempotency_key_reused", "This Idempotency-Key was used with a different request.");
            }

            if (existing.Status == IdempotencyRecord.Completed)
            {
                return Replay(existing.ResponseStatus ?? 200, existing.ResponseBody ?? "{}");
            }

            if (existing.LockedUntil > now || !await TryTakeOverAsync(scope, key, now, cancellationToken))
            {
                throw new ApiProblem(409, "idempotency_request_in_flight", "A request with this Idempotency-Key is being processed.");
            }
        }

        var claim = new IdempotencyClaim(scope, key, successStatus);
        try
        {
            var body = await action(claim);
            if (claim.StoredAnswer is { } stored)
            {
                return Replay(successStatus, stored);
            }

            var json = IdempotencyClaim.Serialize(body);
            await CompleteAsync(scope, key, successStatus, json, CancellationToken.None);
            return Replay(successStatus, claim.FirstAnswer is { } first ? IdempotencyClaim.Serialize(first) : json);
        }
        catch (ApiProblem problem)
        {
            // A refusal is an answer too: the same request gets it again instead of a second attempt.
            await CompleteAsync(scope, key, problem.Status, ProblemJson(problem), CancellationToken.None);
            throw;
        }
        catch
        {
            // Nothing definitive happened that the caller was told of: free the key for a retry.
            await ReleaseAsync(scope, key);
            throw;
        }
    }

    private static string Validate(string? key)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new ApiProblem(400, "idempotency_key_missing", $"The {HeaderName} header is required.");
        }

        if (key.Length > 200 || key.Any(c => c < 0x21 || c > 0x7e))
        {
            throw new ApiProblem(400, "idempotency_key_invalid", $"{HeaderName} must be 1–200 printable ASCII characters.");
        }

        return key;
    }

    private static string Hash<TRequest>(string route, TRequest request)
    {
        var canonical = JsonSerializer.Serialize(request, WireJson.Options);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{route}\n{canonical}")));
    }

    private static ContentResult Replay(int status, string json) => new()
    {
        StatusCode = status,
        Content = json,
        ContentType = status >= 400 ? "application/problem+json" : "application/json",
    };

    private static string ProblemJson(ApiProblem problem)
    {
        var body = new Dictionary<string, object?>
        {
            ["title"] = problem.Title,
            ["status"] = problem.Status,
            ["detail"] = problem.Detail,
            ["code"] = problem.Code,
        };
        foreach (var (k, v) in problem.Extensions)
        {
            body[k] = v;
        }

        return JsonSerializer.Serialize(body, WireJson.Options);
    }

    private async Task<bool> TryClaimAsync(string scope, string key, string hash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO idempotency_keys (scope, key, request_hash, status, created_at, locked_until)
            VALUES ($1, $2, $3, 'in_flight', $4, $5) ON CONFLICT DO NOTHING
            """);
        command.Parameters.Add(new() { Value = scope });
        command.Parameters.Add(new() { Value = key });
        command.Parameters.Add(new() { Value = hash });
        command.Parameters.Add(new() { Value = now });
        command.Parameters.Add(new() { Value = now + Lease });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private async Task<bool> TryTakeOverAsync(string scope, string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE idempotency_keys SET locked_until = $3
            WHERE scope = $1 AND key = $2 AND status = 'in_flight' AND locked_until <= $4
            """);
        command.Parameters.Add(new() { Value = scope });
        command.Parameters.Add(new() { Value = key });
        command.Parameters.Add(new() { Value = now + Lease });
        command.Parameters.Add(new() { Value = now });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private async Task<IdempotencyRecord?> ReadAsync(string scope, string key, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT request_hash, status, response_status, response_body, locked_until, created_at
            FROM idempotency_keys WHERE scope = $1 AND key = $2
            """);
        command.Parameters.Add(new() { Value = scope });
        command.Parameters.Add(new() { Value = key });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new IdempotencyRecord
        {
            Scope = scope,
            Key = key,
            RequestHash = reader.GetString(0),
            Status = reader.GetString(1),
            ResponseStatus = reader.IsDBNull(2) ? null : reader.GetInt32(2),
            ResponseBody = reader.IsDBNull(3) ? null : reader.GetString(3),
            LockedUntil = reader.GetFieldValue<DateTimeOffset>(4),
            CreatedAt = reader.GetFieldValue<DateTimeOffset>(5),
        };
    }

    private async Task CompleteAsync(string scope, string key, int status, string body, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE idempotency_keys SET status = 'completed', response_status = $3, response_body = $4
            WHERE scope = $1 AND key = $2
            """);
        command.Parameters.Add(new() { Value = scope });
        command.Parameters.Add(new() { Value = key });
        command.Parameters.Add(new() { Value = status });
        command.Parameters.Add(new() { Value = body });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task ReleaseAsync(string scope, string key)
    {
        await using var command = dataSource.CreateCommand(
            "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status = 'in_flight'");
        command.Parameters.Add(new() { Value = scope });
        command.Parameters.Add(new() { Value = key });
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }
}

/// <summary>A claimed Idempotency-Key, as the action running under it sees it.</summary>
public sealed class IdempotencyClaim(string scope, string key, int successStatus)
{
    /// <summary>Marks the key completed with the answer; parameters $1…$4 are those of <see cref="CompletionParameters"/>.</summary>
    public const string CompletionSql = """
        UPDATE idempotency_keys SET status = 'completed', response_status = $3, response_body = $4
        WHERE scope = $1 AND key = $2
        """;

    /// <summary>Set once the action stored the answer itself; the service then only replays it.</summary>
    public string? StoredAnswer { get; private set; }

    /// <summary>What this first request is answered with instead of the stored answer (<see cref="ShowOnce"/>).</summary>
    public object? FirstAnswer { get; private set; }

    /// <summary>
    /// Answers this request with <paramref name="answer"/> while the action's own result is what is stored and replayed:
    /// for secrets shown once (new pickup codes), which must never be kept in the idempotency table.
    /// </summary>
    public void ShowOnce(object answer) => FirstAnswer = answer;

    public static string Serialize(object body) => JsonSerializer.Serialize(body, body.GetType(), WireJson.Options);

    /// <summary>The parameters of <see cref="CompletionSql"/> for this success answer (serialized as the replay will be).</summary>
    public object[] CompletionParameters(string answer) => [scope, key, successStatus, answer];

    /// <summary>Call after the write holding <see cref="CompletionSql"/> committed.</summary>
    public void Stored(string answer) => StoredAnswer = answer;
}
