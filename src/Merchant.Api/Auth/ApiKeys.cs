using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Merchant.Api.Errors;
using Merchant.Api.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Merchant.Api.Auth;

public sealed class AuthOptions
{
    /// <summary>Storefront keys, plain or <c>sha256:&lt;hex&gt;</c>.</summary>
    public string[] StorefrontKeys { get; set; } = [];

    public string[] OpsKeys { get; set; } = [];
}

internal sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        List<string> failures = [];
        var storefront = Check(failures, "Auth:StorefrontKeys", options.StorefrontKeys);
        var ops = Check(failures, "Auth:OpsKeys", options.OpsKeys);
        // The store answers the first scope a key matches: an ops key also listed for storefronts would never reach ops.
        foreach (var (index, _) in ops.Where(o => storefront.Any(s => s.Hash.AsSpan().SequenceEqual(o.Hash))))
        {
            failures.Add($"Auth:OpsKeys:{index} is also in Auth:StorefrontKeys.");
        }

        return failures.ToResult();
    }

    private static List<(int Index, byte[] Hash)> Check(List<string> failures, string key, string[] keys)
    {
        if (keys.Length == 0)
        {
            failures.Add($"{key} needs at least one key ({key}:0).");
        }

        List<(int, byte[])> hashes = [];
        for (var i = 0; i < keys.Length; i++)
        {
            if (ApiKeyStore.FormatProblem($"{key}:{i}", keys[i]) is { } problem)
            {
                failures.Add(problem);
            }
            else
            {
                hashes.Add((i, ApiKeyStore.Hash(keys[i])));
            }
        }

        return hashes;
    }
}

public static class Scopes
{
    public const string Storefront = "storefront";
    public const string Ops = "ops";
    public const string ClaimType = "scope";
    public const string KeyIdClaimType = "key_id";
}

/// <summary>The configured keys, held only as SHA-256 hashes.</summary>
public sealed class ApiKeyStore
{
    private const string HashPrefix = "sha256:";

    private readonly (byte[] Hash, string Scope)[] _keys;

    public ApiKeyStore(IOptions<AuthOptions> options)
    {
        _keys =
        [
            .. options.Value.StorefrontKeys.Select(k => (Hash(k), Scopes.Storefront)),
            .. options.Value.OpsKeys.Select(k => (Hash(k), Scopes.Ops)),
        ];
    }

    /// <summary>Finds the scope of a presented key, comparing against every key in constant time.</summary>
    public (string Scope, string KeyId)? Find(string presented)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        (string, string)? found = null;
        foreach (var (keyHash, scope) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, keyHash) && found is null)
            {
                found = (scope, Convert.ToHexStringLower(keyHash)[..16]);
            }
        }

        return found;
    }

    internal static byte[] Hash(string configured) =>
        IsHashed(configured)
            ? Convert.FromHexString(configured[HashPrefix.Length..])
            : SHA256.HashData(Encoding.UTF8.GetBytes(configured));

    internal static bool IsHashed(string configured) => configured.StartsWith(HashPrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>What is wrong with a configured key, naming <paramref name="key"/> and never the value; null when nothing is.</summary>
    internal static string? FormatProblem(string key, string? configured) =>
        string.IsNullOrWhiteSpace(configured) ? $"{key} must not be empty."
        // Header values arrive trimmed, so a key with white space at either end could never match.
        : configured.Trim().Length != configured.Length ? $"{key} must not start or end with white space."
        : IsHashed(configured) && (configured.Length != HashPrefix.Length + 64 || !configured[HashPrefix.Length..].All(char.IsAsciiHexDigit))
            ? $"{key} must be a plain key or {HashPrefix}<64 hex digits>."
        : null;
}

/// <summary>Authenticates <c>X-Api-Key</c>; answers 401/403 as problem details.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiKeyStore keys,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values) || string.IsNullOrEmpty(values.ToString()))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (keys.Find(values.ToString()) is not { } match)
        {
            return Task.FromResult(AuthenticateResult.Fail("Unknown API key."));
        }

        var identity = new ClaimsIdentity(
            [new Claim(Scopes.ClaimType, match.Scope), new Claim(Scopes.KeyIdClaimType, match.KeyId)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Write(401, "unauthorized", $"Send a valid API key in the {HeaderName} header.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Write(403, "forbidden", "This API key's scope does not allow this endpoint.");

    private async Task Write(int status, string code, string title)
    {
        Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title };
        problem.Extensions["code"] = code;
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = problem });
    }
}

public static class ApiKeyServiceCollectionExtensions
{
    public const string StorefrontPolicy = "storefront";
    public const string OpsPolicy = "ops";

    public static IServiceCollection AddApiKeyAuth(this IServiceCollection services)
    {
        services.AddSingleton<ApiKeyStore>();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            // Ops keys may do everything a storefront can (they run the demo and settle disputes).
            .AddPolicy(StorefrontPolicy, p => p.RequireClaim(Scopes.ClaimType, Scopes.Storefront, Scopes.Ops))
            .AddPolicy(OpsPolicy, p => p.RequireClaim(Scopes.ClaimType, Scopes.Ops));
        return services;
    }

    /// <summary>The idempotency scope of the caller: its key's id, never the key.</summary>
    public static string KeyId(this ClaimsPrincipal user) =>
        user.FindFirstValue(Scopes.KeyIdClaimType) ?? throw new ApiProblem(401, "unauthorized", "No API key.");
}
