using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Merchant.Api.Auth;
using Merchant.Api.Checkouts;
using Merchant.Api.Trades;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Merchant.Api.Hosting;

/// <summary>The problem <c>code</c>s an endpoint can answer with a status; shown in the OpenAPI document.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ProblemCodesAttribute(int status, params string[] codes) : Attribute
{
    public int Status { get; } = status;

    public string[] Codes { get; } = codes;
}

/// <summary>
/// Fills in what attributes alone cannot say: the scope each endpoint needs, the problem codes per status,
/// the Idempotency-Key header, and realistic examples (a real trade object).
/// </summary>
internal sealed class MerchantOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var method = context.MethodInfo;
        var policy = method.GetCustomAttributes(true).OfType<AuthorizeAttribute>()
            .Concat(method.DeclaringType!.GetCustomAttributes(true).OfType<AuthorizeAttribute>())
            .Select(a => a.Policy).FirstOrDefault();
        if (policy is not null)
        {
            operation.Security = [new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(ApiKeyAuthenticationHandler.SchemeName, context.Document)] = [policy],
            }];
            var scope = policy == ApiKeyServiceCollectionExtensions.OpsPolicy ? "an **ops** key" : "a **storefront** (or ops) key";
            operation.Description = $"{operation.Description}\n\nRequires {scope} in `X-Api-Key`.".Trim();
            AddProblem(operation, 401, "unauthorized");
            AddProblem(operation, 403, "forbidden");
            AddProblem(operation, 429, "rate_limited");
        }
        else
        {
            operation.Security = [];
        }

        foreach (var codes in method.GetCustomAttributes(true).OfType<ProblemCodesAttribute>())
        {
            AddProblem(operation, codes.Status, codes.Codes);
        }

        foreach (var body in context.ApiDescription.ParameterDescriptions.Where(p => p.Source == BindingSource.Body))
        {
            MarkRequired(body.Type, context.SchemaRepository, []);
        }

        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            if (parameter.Name == Idempotency.IdempotencyService.HeaderName)
            {
                parameter.Required = true;
                parameter.Description = "Your unique key for this request (1–200 printable ASCII characters). The same key and body "
                    + "replay the first answer; another body is 422 `idempotency_key_reused`; a request still running is 409 "
                    + "`idempotency_request_in_flight`; keys are kept 48 hours per API key.";
            }
        }
    }

    /// <summary>The members the strict reader requires of a request body (ADR 0017), nested types included.</summary>
    private static void MarkRequired(Type type, SchemaRepository schemas, HashSet<Type> seen)
    {
        var info = StrictJson.Options.GetTypeInfo(Nullable.GetUnderlyingType(type) ?? type);
        if (info.Kind == JsonTypeInfoKind.Enumerable)
        {
            MarkRequired(info.ElementType!, schemas, seen);
            return;
        }

        if (info.Kind != JsonTypeInfoKind.Object || !seen.Add(info.Type))
        {
            return;
        }

        var required = info.Properties.Where(p => p.IsRequired).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        if (required.Count > 0 && schemas.TryLookupByType(info.Type, out var reference)
            && schemas.Schemas.TryGetValue(reference.Reference.Id!, out var schema) && schema is OpenApiSchema concrete)
        {
            concrete.Required = required;
        }

        foreach (var property in info.Properties)
        {
            MarkRequired(property.PropertyType, schemas, seen);
        }
    }

    private static void AddProblem(OpenApiOperation operation, int status, params string[] codes)
    {
        operation.Responses ??= [];
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var list = string.Join(", ", codes.Select(c => $"`{c}`"));
        if (operation.Responses.TryGetValue(key, out var existing) && existing is OpenApiResponse response)
        {
            response.Description = response.Description is { Length: > 0 } d && d.Contains("code:", StringComparison.Ordinal)
                ? $"{d}, {list}"
                : $"Problem details; code: {list}";
        }
        else
        {
            operation.Responses[key] = new OpenApiResponse
            {
                Description = $"Problem details; code: {list}",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("ProblemDetails") },
                },
            };
        }
    }
}

/// <summary>Examples on the schemas themselves, so every operation that uses them shows one.</summary>
internal sealed class MerchantSchemaFilter : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema concrete)
        {
            return;
        }

        if (context.Type == typeof(TradeResponse))
        {
            concrete.Examples = [Examples.Trade.DeepClone()];
        }
        else if (context.Type == typeof(Catalog.ProductView))
        {
            // A product whose slot is in fault (DESIGN §2 rule 10): listed, but not sold until ops clear the slot.
            concrete.Examples = [JsonNode.Parse("""
                {"product_id":1323442,"name":"Cola 330ml","price":"3.00","stock":8,"capacity":10,"category":"Drinks","slot":"A11",
                 "available":false,"unavailable_reason":"slot jammed"}
                """)!];
        }
        else if (context.Type == typeof(CheckoutRequest))
        {
            concrete.Examples = [JsonNode.Parse("""
                {"machine_no":"16327129","items":[{"product_id":1323442,"quantity":2},{"product_id":1323444,"quantity":1}],"customer_ref":"table-7"}
                """)!];
        }
    }
}

internal static class Examples
{
    public static readonly JsonNode Trade = JsonNode.Parse("""
        {
          "trade_id": "20261121223905000000000001",
          "kind": "purchase",
          "machine_no": "16327129",
          "status": "dispensing",
          "amount": "3.00",
          "refunded_amount": "0.00",
          "currency": "CNY",
          "platform_order_id": 54,
          "created_at": "2026-11-21T22:39:05Z",
          "pay_before": "2026-11-21T22:57:05Z",
          "payment": { "provider": "sandbox", "status": "succeeded", "payment_id": "sbx_20261121223905000000000001" },
          "lines": [
            { "line_id": 1, "product_id": 121, "name": "Cola", "price": "1.00", "status": "dispensed" },
            { "line_id": 2, "product_id": 122, "name": "Water", "price": "1.00", "status": "dispensing" },
            { "line_id": 3, "product_id": 131, "name": "Chips", "price": "1.00", "status": "failed", "failure_reason": "Goods are Stuck" }
          ]
        }
        """)!;
}
