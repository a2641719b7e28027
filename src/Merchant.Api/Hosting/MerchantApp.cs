using Merchant.Api.Auth;
using Merchant.Api.Catalog;
using Merchant.Api.Checkouts;
using Merchant.Api.Demo;
using Merchant.Api.Dispensing;
using Merchant.Api.Errors;
using Merchant.Api.Fleet;
using Merchant.Api.Health;
using Merchant.Api.Idempotency;
using Merchant.Api.Jobs;
using Merchant.Api.Ops;
using Merchant.Api.Payments;
using Merchant.Api.Payments.Sandbox;
using Merchant.Api.Payments.WeChatPay;
using Merchant.Api.Persistence;
using Merchant.Api.Pickups;
using Merchant.Api.PlatformNotify;
using Merchant.Api.Telemetry;
using Merchant.Api.Trades;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration.Memory;
using Npgsql;
using Vending.Platform;

namespace Merchant.Api.Hosting;

/// <summary>Composition of the service: configuration, services, and the HTTP pipeline.</summary>
public static class MerchantApp
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (builder.Environment.IsDevelopment())
        {
            // Lowest precedence: appsettings.json and environment variables still win.
            builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = RequiredSettings.DevelopmentDefaults });
        }

        builder.AddMerchantLogging();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 1024 * 1024;
        });
        builder.Services.AddMerchantServices(builder.Configuration);

        var app = builder.Build();
        // After Build: hosts (and test factories) may add configuration until then.
        app.ValidateOptions();
        app.UseMerchantPipeline();
        return app;
    }

    public static IServiceCollection AddMerchantServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<ConnectionStringsOptions, ConnectionStringsOptionsValidator>(configuration.GetSection("ConnectionStrings"));
        services.AddValidatedOptions<MerchantOptions, MerchantOptionsValidator>(configuration.GetSection("Merchant"));
        services.AddValidatedOptions<OrdersOptions, OrdersOptionsValidator>(configuration.GetSection("Orders"));
        services.AddValidatedOptions<DispenseOptions, DispenseOptionsValidator>(configuration.GetSection("Dispense"));
        services.AddValidatedOptions<PaymentsOptions, PaymentsOptionsValidator>(configuration.GetSection("Payments"));
        services.AddValidatedOptions<JobsOptions, JobsOptionsValidator>(configuration.GetSection("Jobs"));
        services.AddValidatedOptions<AuthOptions, AuthOptionsValidator>(configuration.GetSection("Auth"));
        services.AddDemo(configuration);
        services.AddValidatedOptions<FleetOptions, FleetOptionsValidator>(configuration.GetSection("Fleet"));
        services.AddValidatedOptions<Retention.RetentionOptions, Retention.RetentionOptionsValidator>(configuration.GetSection("Retention"));
        services.AddSingleton(TimeProvider.System);

        services.AddSingleton(sp => MerchantDataSource.Build(
            sp.GetRequiredService<IConfiguration>().GetConnectionString("Merchant")
            ?? throw new InvalidOperationException("ConnectionStrings:Merchant is not set.")));
        services.AddDbContextPool<MerchantDbContext>((sp, options) => MerchantDbContext.Configure(options, sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddSingleton<MigrationRunner>();
        services.AddHostedService<MigrateOnStart>();

        services.AddVendingPlatform(configuration.GetSection(PlatformOptions.SectionName));
        services.AddMemoryCache();
        services.AddHttpClient(SandboxNotifyHandler.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10));

        services.AddControllers(o =>
            {
                // Nothing here binds forms; a form parser reading a hostile body before routing checks anything is pure risk.
                var forms = o.ValueProviderFactories.Where(f => f is Microsoft.AspNetCore.Mvc.ModelBinding.FormValueProviderFactory
                    or Microsoft.AspNetCore.Mvc.ModelBinding.JQueryFormValueProviderFactory
                    or Microsoft.AspNetCore.Mvc.ModelBinding.FormFileValueProviderFactory).ToList();
                forms.ForEach(f => o.ValueProviderFactories.Remove(f));
                // Public request bodies are read strictly (ADR 0017); the callbacks read their raw bodies and stay tolerant.
                o.InputFormatters.RemoveType<Microsoft.AspNetCore.Mvc.Formatters.SystemTextJsonInputFormatter>();
                o.InputFormatters.Insert(0, new StrictJsonInputFormatter());
                o.Filters.Add<RequestLogContext>();
            })
            .AddJsonOptions(o => WireJson.Configure(o.JsonSerializerOptions));
        services.AddMerchantProblemDetails();
        services.AddApiKeyAuth();
        services.AddMerchantOpenApi();
        services.AddEdgeProtection(configuration);
        services.AddMerchantTelemetry(configuration);
        services.AddValidatedOptions<WarmUpOptions, WarmUpOptionsValidator>(configuration.GetSection("WarmUp"));
        services.AddSingleton<WarmUpState>();
        services.AddHostedService<WarmUpService>();
        services.AddHealthChecks().AddCheck<DatabaseReadyCheck>("database", tags: ["ready"]).AddCheck<WarmUpCheck>("warm_up", tags: ["ready"]);

        services.AddSingleton<NotifyTokens>();
        services.AddSingleton<PublicUrls>();
        services.AddSingleton<SandboxSigner>();
        services.AddSingleton<SandboxFaults>();
        services.AddSingleton<IdempotencyService>();
        services.AddSingleton<JobStore>();
        services.AddScoped<TradeStore>();
        services.AddScoped<TradeService>();
        services.AddSingleton<TradeIds>();
        services.AddScoped<CheckoutWriter>();
        services.AddScoped<CatalogService>();
        services.AddSingleton<ProductCache>();
        services.AddScoped<CheckoutService>();
        services.AddScoped<PickupService>();
        services.AddScoped<PaymentService>();
        services.AddScoped<IPaymentProvider, SandboxProvider>();
        services.AddWeChatPayProvider(configuration);
        services.AddScoped<PaymentProviders>();
        services.AddScoped<Dispatcher>();
        services.AddScoped<DispenseResults>();
        services.AddScoped<CallbackService>();
        services.AddScoped<OpsService>();
        services.AddFleet();

        services.AddJobHandler<CreateOrderRecoveryHandler>(JobKinds.CreateOrder);
        services.AddJobHandler<ConsumePickupHandler>(JobKinds.ConsumePickup);
        services.AddJobHandler<ConfirmPaidHandler>(JobKinds.ConfirmPaid);
        services.AddJobHandler<CloseOrderHandler>(JobKinds.CloseOrder);
        services.AddJobHandler<ClosePaymentHandler>(JobKinds.ClosePayment);
        services.AddJobHandler<ExpireTradeHandler>(JobKinds.ExpireTrade);
        services.AddJobHandler<DispenseHandler>(JobKinds.Dispense);
        services.AddJobHandler<PollHandler>(JobKinds.Poll);
        services.AddJobHandler<RefundHandler>(JobKinds.Refund);
        services.AddJobHandler<RefundQueryHandler>(JobKinds.RefundQuery);
        services.AddJobHandler<PaymentQueryHandler>(JobKinds.QueryPayment);
        services.AddJobHandler<SandboxNotifyHandler>(JobKinds.SandboxNotify);
        services.AddSingleton<CounterReconciler>();
        services.AddJobHandler<ReconcileCountersHandler>(JobKinds.ReconcileCounters);
        services.AddJobHandler<Retention.RetentionJob>(JobKinds.Retention);
        services.AddSingleton<JobExecutor>();
        services.AddSingleton<JobRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<JobRunner>());
        services.AddHostedService<Maintenance>();
        return services;
    }

    public static void UseMerchantPipeline(this WebApplication app)
    {
        // Listen from the start, so the ops metrics count everything this instance did.
        app.Services.GetRequiredService<MetricsSnapshot>();
        app.UseMerchantRequestLogging();
        app.UseExceptionHandler();
        app.UseMerchantStatusCodeProblems();
        app.UseEdgeProtection();
        app.MapDemo();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMerchantOpenApi();
        app.MapControllers();
        app.MapMerchantMetrics();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
    }
}
