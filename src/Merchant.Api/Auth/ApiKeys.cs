using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Merchant.Api.Errors;
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

    private static byte[] Hash(string configured) =>
        configured.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase)
            ? Convert.FromHexString(configured["sha256:".Length..])
            : SHA256.HashData(Encoding.UTF8.GetBytes(configured));
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
