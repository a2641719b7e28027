using System.Text;
using System.Text.Json;
using Merchant.Domain;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;
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
            if (status == StatusCodes.Status415UnsupportedMediaType)
            {
                problem.Detail ??= "Send the body as application/json in UTF-8 (RFC 8259); no other charset is read.";
            }

            context.HttpContext.RequestServices.GetService<Serilog.IDiagnosticContext>()?.Set("ProblemCode", problem.Extensions["code"]);
            problem.Extensions.Remove("traceId");
            problem.Extensions["trace_id"] = context.HttpContext.TraceIdentifier;
            problem.Instance ??= Hosting.Redaction.MaskNotifyToken(context.HttpContext.Request.Path.Value ?? string.Empty);
        });
        // Registered after the framework's writers, so it writes only what they decline: a client whose Accept refuses
        // JSON (text/html) would otherwise get an empty error body, and a refusal thrown as a problem be logged as unhandled.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProblemDetailsWriter, WhateverTheAcceptWriter>());
        services.AddExceptionHandler<ExceptionToProblem>();
        services.Configure<ApiBehaviorOptions>(options => options.InvalidModelStateResponseFactory = context =>
        {
            var errors = ValidationErrors(context.ModelState);
            var problem = new HttpValidationProblemDetails(errors)
            {
                Type = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
                Status = StatusCodes.Status400BadRequest,
                Title = "The request is not valid.",
                Detail = string.Join("; ", errors.SelectMany(e => e.Value.Select(m => e.Key.Length == 0 ? m : $"{e.Key}: {m}")).Take(5)),
            };
            problem.Extensions["code"] = "validation_failed";
            return new ProblemResult(problem);
        });
        return services;
    }

    /// <summary>
    /// The errors by key. A body the strict reader refused is named by JSON path (<c>$.items[0].quantiy</c>: unknown field);
    /// the "request field is required" that follows from it adds nothing and is left out.
    /// </summary>
    private static Dictionary<string, string[]> ValidationErrors(ModelStateDictionary state)
    {
        var invalid = state.Where(e => e.Value is { Errors.Count: > 0 }).ToList();
        var paths = invalid.Where(e => e.Key.StartsWith('$')).ToList();
        return (paths.Count > 0 ? paths : invalid).ToDictionary(e => e.Key,
            e => e.Value!.Errors.Select(x => string.IsNullOrEmpty(x.ErrorMessage) ? "The input was not valid." : x.ErrorMessage).ToArray(),
            StringComparer.Ordinal);
    }

    public static string DefaultCode(int status) => status switch
    {
        400 => "invalid_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        406 => "not_acceptable",
        408 => "request_timeout",
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
                // What the framework throws on unreadable input is the client's fault: 4xx, never the 500 below.
                BadHttpRequestException b => Build(b.StatusCode, DefaultCode(b.StatusCode), "The request could not be read.", b.Message),
                DecoderFallbackException => Build(400, "invalid_encoding", "The body is not valid UTF-8.",
                    "JSON bodies must be UTF-8 (RFC 8259)."),
                JsonException j => Build(400, "validation_failed", "The request is not valid.", $"{j.Path ?? "$"}: could not be read"),
                InvalidDataException => Build(400, "invalid_request", "The request body could not be read."),
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

    /// <summary>Problems are JSON whatever Accept says (RFC 9110 §12.1 lets a server disregard it): better than no body.</summary>
    private sealed class WhateverTheAcceptWriter(IOptions<ProblemDetailsOptions> options, IOptions<JsonOptions> json) : IProblemDetailsWriter
    {
        public bool CanWrite(ProblemDetailsContext context) => true;

        public ValueTask WriteAsync(ProblemDetailsContext context)
        {
            options.Value.CustomizeProblemDetails?.Invoke(context);
            var problem = context.ProblemDetails;
            return new(context.HttpContext.Response.WriteAsJsonAsync(problem, problem.GetType(), json.Value.SerializerOptions,
                "application/problem+json", context.HttpContext.RequestAborted));
        }
    }

    /// <summary>
    /// A validation problem, customized like every other problem (code, trace_id, instance) but written without the wire's
    /// snake_case key policy, which would report an unknown <c>$.machineNo</c> as <c>$.machine_no</c>.
    /// </summary>
    private sealed class ProblemResult(HttpValidationProblemDetails problem) : IActionResult
    {
        public async Task ExecuteResultAsync(ActionContext context)
        {
            var http = context.HttpContext;
            http.Response.StatusCode = problem.Status!.Value;
            http.RequestServices.GetRequiredService<IOptions<ProblemDetailsOptions>>().Value.CustomizeProblemDetails?
                .Invoke(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
            await http.Response.WriteAsJsonAsync(problem, http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions,
                "application/problem+json", http.RequestAborted);
        }
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
