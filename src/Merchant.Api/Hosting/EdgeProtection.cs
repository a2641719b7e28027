using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Merchant.Api.Auth;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Merchant.Api.Hosting;

public sealed class RateLimitOptions
{
    /// <summary>Requests per second one API key may make (a token bucket that also allows this many at once).</summary>
    public int PerKeyPerSecond { get; set; } = 1000;

    /// <summary>Requests per second from one address without an API key (callbacks, health, docs).</summary>
    public int AnonymousPerSecond { get; set; } = 2000;
}

internal sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        List<string> failures = [];
        failures.AtLeast("RateLimits:PerKeyPerSecond", options.PerKeyPerSecond, 1);
        failures.AtLeast("RateLimits:AnonymousPerSecond", options.AnonymousPerSecond, 1);
        return failures.ToResult();
    }
}

/// <summary>Rate limits per API key (429 + Retry-After), security headers, and the docs behind the ops key outside Development.</summary>
public static class EdgeProtection
{
    public static IServiceCollection AddEdgeProtection(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<RateLimitOptions, RateLimitOptionsValidator>(configuration.GetSection("RateLimits"));
        services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var limits = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                var key = context.Request.Headers[ApiKeyAuthenticationHandler.HeaderName].ToString();
                var (partition, perSecond) = key.Length > 0
                    // The partition is a hash of the key: keys never sit in memory longer than a request needs them.
                    ? ("key:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16], limits.PerKeyPerSecond)
                    : ("ip:" + context.Connection.RemoteIpAddress, limits.AnonymousPerSecond);
                return RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = perSecond,
                    TokensPerPeriod = perSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            options.OnRejected = async (context, cancellationToken) =>
            {
                var http = context.HttpContext;
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = "1";
                var problem = new ProblemDetails
                {
                    Status = 429,
                    Title = "Too many requests for this API key; slow down.",
                    Detail = "Retry after the number of seconds in the Retry-After header.",
                };
                problem.Extensions["code"] = "rate_limited";
                await http.RequestServices.GetRequiredService<IProblemDetailsService>()
                    .WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
            };
        });
        return services;
    }

    public static void UseEdgeProtection(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            var path = context.Request.Path;
            var isPage = path.StartsWithSegments("/swagger") || path.StartsWithSegments("/demo");
            context.Response.OnStarting(() =>
            {
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                headers.ContentSecurityPolicy = isPage
                    ? "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
                    : "default-src 'none'; frame-ancestors 'none'";
                if (!isPage && !headers.ContainsKey("Cache-Control"))
                {
                    headers.CacheControl = "no-store";
                }

                return Task.CompletedTask;
            });
            await next();
        });
        app.UseRateLimiter();
        if (!app.Environment.IsDevelopment())
        {
            app.UseWhen(c => c.Request.Path.StartsWithSegments("/swagger") || c.Request.Path.StartsWithSegments("/openapi"),
                branch => branch.Use(RequireOpsKeyForDocs));
        }
    }

    /// <summary>
    /// Outside Development the API description is for ops only: the ops key in X-Api-Key, or as the
    /// password of HTTP Basic authentication so a browser can open Swagger UI (it prompts, then sends it on).
    /// </summary>
    private static async Task RequireOpsKeyForDocs(HttpContext context, RequestDelegate next)
    {
        var keys = context.RequestServices.GetRequiredService<ApiKeyStore>();
        var presented = context.Request.Headers[ApiKeyAuthenticationHandler.HeaderName].ToString();
        var authorization = context.Request.Headers.Authorization.ToString();
        if (presented.Length == 0 && authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..].Trim()));
                presented = decoded[(decoded.IndexOf(':', StringComparison.Ordinal) + 1)..];
            }
            catch (FormatException)
            {
                presented = string.Empty;
            }
        }

        if (presented.Length > 0 && keys.Find(presented) is { Scope: Scopes.Ops })
        {
            await next(context);
            return;
        }

        context.Response.StatusCode = presented.Length == 0 ? 401 : 403;
        context.Response.Headers.WWWAuthenticate = "Basic realm=\"Merchant API docs (password: an ops key)\"";
        var problem = new ProblemDetails
        {
            Status = context.Response.StatusCode,
            Title = "The API description needs an ops key outside Development.",
        };
        problem.Extensions["code"] = presented.Length == 0 ? "unauthorized" : "forbidden";
        await context.RequestServices.GetRequiredService<IProblemDetailsService>()
            .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}
