using Merchant.Api.Auth;
using Microsoft.OpenApi;

namespace Merchant.Api.Hosting;

/// <summary>The OpenAPI document at /openapi/v1.json and Swagger UI at /swagger, with the API-key scheme.</summary>
public static class OpenApiSetup
{
    public static IServiceCollection AddMerchantOpenApi(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(c =>
        {
            c.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "Merchant API",
                Version = "v1",
                Description = "Checkout, payment, dispensing and refunds for vending machines on the platform's Open API.",
            });
            c.AddSecurityDefinition(ApiKeyAuthenticationHandler.SchemeName, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyAuthenticationHandler.HeaderName,
                Description = "Scopes: `storefront` (catalog, checkout, trades, pickups, sandbox) and `ops` (everything, plus /api/v1/ops). "
                    + "Keys are configured in Auth:StorefrontKeys and Auth:OpsKeys.",
            });
            c.OperationFilter<MerchantOperationFilter>();
            c.SchemaFilter<MerchantSchemaFilter>();
            c.SchemaFilter<Fleet.FleetExamples>();
            c.SupportNonNullableReferenceTypes();
            var xml = Path.Combine(AppContext.BaseDirectory, "Merchant.Api.xml");
            if (File.Exists(xml))
            {
                c.IncludeXmlComments(xml);
            }
        });
        return services;
    }

    public static void UseMerchantOpenApi(this WebApplication app)
    {
        app.UseSwagger(o => o.RouteTemplate = "openapi/{documentName}.json");
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = "swagger";
            o.SwaggerEndpoint("/openapi/v1.json", "Merchant API v1");
            o.DocumentTitle = "Merchant API";
        });
    }
}
