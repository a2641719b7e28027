using Merchant.Domain;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Vending.Platform;

namespace Merchant.Api.Errors;

/// <summary>
/// The one place where errors become RFC 9457 problem details with a stable <c>code</c>:
/// thrown problems, illegal transitions, framework status codes and anything unexpected (never with internals).
/// </summary>
public static partial class ProblemDetailsSetup
{
    public static IServiceCollection AddMerchantProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            var status = problem.Status ?? context.HttpContext.Response.StatusCode;
            problem.Extensions.TryAdd("code", DefaultCode(status));
            context.HttpContext.RequestServices.GetService<Serilog.IDiagnosticContext>()?.Set("ProblemCode", problem.Extensions["code"]);
            problem.Extensions.Remove("traceId");
            problem.Extensions["trace_id"] = context.HttpContext.TraceIdentifier;
            problem.Instance ??= Hosting.Redaction.MaskNotifyToken(context.HttpContext.Request.Path.Value ?? string.Empty);
        });
        services.AddExceptionHandler<ExceptionToProblem>();
        services.Configure<ApiBehaviorOptions>(options => options.InvalidModelStateResponseFactory = context =>
        {
            var problem = new ValidationProblemDetails(context.ModelState)
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request is not valid.",
            };
            problem.Extensions["code"] = "validation_failed";
            context.HttpContext.RequestServices.GetService<Serilog.IDiagnosticContext>()?.Set("ProblemCode", "validation_failed");
            return new BadRequestObjectResult(problem) { ContentTypes = { "application/problem+json" } };
        });
        return services;
    }

    public static string DefaultCode(int status) => status switch
    {
        400 => "invalid_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        406 => "not_acceptable",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "unprocessable",
        429 => "rate_limited",
        503 => "unavailable",
        _ when status >= 500 => "internal_error",
        _ => "error",
    };

    private sealed partial class ExceptionToProblem(IProblemDetailsService problems, ILogger<ExceptionToProblem> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            // A platform failure no service answered itself (the catalog reads) gets its storefront code, not a 500.
            var problem = (exception is PlatformException platform ? platform.ToProblem() : exception) switch
            {
                ApiProblem p => Build(p.Status, p.Code, p.Title, p.Detail, p.Extensions),
                InvalidTransitionException t => Build(409, "invalid_transition", "This trade cannot do that now.", t.Message,
                    new Dictionary<string, object?> { ["status"] = t.From }),
                DbUpdateConcurrencyException => Build(409, "concurrent_update", "The trade changed while this request ran; try again."),
                BadHttpRequestException b => Build(b.StatusCode, DefaultCode(b.StatusCode), "The request could not be read.", b.Message),
                OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested =>
                    Build(499, "client_closed_request", "The client went away."),
                _ => null,
            };

            if (problem is null)
            {
                if (IsDatabaseUnavailable(exception))
                {
                    httpContext.Response.Headers.RetryAfter = "2";
                    problem = Build(503, "database_unavailable", "The service's database is unavailable; try again shortly.");
                }
                else
                {
                    LogUnhandled(logger, httpContext.Request.Method, Hosting.Redaction.MaskNotifyToken(httpContext.Request.Path.Value ?? string.Empty), exception);
                    problem = Build(500, "internal_error", "Something went wrong on our side.");
                }
            }

            httpContext.Response.StatusCode = problem.Status!.Value;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                ProblemDetails = problem,
                Exception = exception,
            });
        }

        /// <summary>A transient database failure anywhere in the chain (EF wraps Npgsql's).</summary>
        private static bool IsDatabaseUnavailable(Exception exception)
        {
            for (var e = exception; e is not null; e = e.InnerException)
            {
                if (e is Npgsql.NpgsqlException { IsTransient: true })
                {
                    return true;
                }
            }

            return false;
        }

        private static ProblemDetails Build(int status, string code, string title, string? detail = null,
            IDictionary<string, object?>? extensions = null)
        {
            var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
            problem.Extensions["code"] = code;
            foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
            {
                problem.Extensions[key] = value;
            }

            return problem;
        }

        [LoggerMessage(1, LogLevel.Error, "Unhandled error on {Method} {Path}")]
        private static partial void LogUnhandled(ILogger logger, string method, string path, Exception exception);
    }

    /// <summary>Gives bodiless error answers (404 route, 405, 415…) a problem body too.</summary>
    public static IApplicationBuilder UseMerchantStatusCodeProblems(this IApplicationBuilder app) =>
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            if (http.Response.HasStarted || http.Response.ContentLength is > 0 || http.Response.ContentType is not null)
            {
                return;
            }

            var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
            var status = http.Response.StatusCode;
            await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = new ProblemDetails
                {
                    Status = status,
                    Title = ReasonPhrase(http, status),
                },
            });
        });

    private static string ReasonPhrase(HttpContext context, int status) =>
        context.Features.Get<IHttpResponseFeature>()?.ReasonPhrase
        ?? Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);
}
