using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Options;
using WeChatPay.Simulator.Books;
using WeChatPay.Simulator.Certificates;
using WeChatPay.Simulator.Control;
using WeChatPay.Simulator.Crypto;
using WeChatPay.Simulator.Customer;
using WeChatPay.Simulator.Faults;
using WeChatPay.Simulator.Notifications;
using WeChatPay.Simulator.Refunds;
using WeChatPay.Simulator.State;
using WeChatPay.Simulator.Transactions;

namespace WeChatPay.Simulator;

/// <summary>Builds the WeChat Pay simulator: API v3 under /v3 and the control API under /_sim.</summary>
public static class WeChatPaySimApp
{
    public const string DefaultUrl = "http://127.0.0.1:5090";

    public static WebApplication Build(string[] args, Action<WeChatPaySimOptions>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);

        builder.Services.Configure<WeChatPaySimOptions>(builder.Configuration.GetSection(WeChatPaySimOptions.SectionName));
        if (configure is not null)
        {
            builder.Services.PostConfigure(configure);
        }

        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        });
        builder.Services.AddSingleton<SimClock>();
        builder.Services.AddSingleton(sp => CreateKeys(sp.GetRequiredService<IOptions<WeChatPaySimOptions>>().Value));
        builder.Services.AddSingleton<SimState>();
        builder.Services.AddSingleton<TransactionService>();
        builder.Services.AddSingleton<RefundService>();
        builder.Services.AddSingleton<NotificationSender>();
        builder.Services.AddSingleton<ProbeService>();
        builder.Services.AddSingleton<CustomerService>();
        builder.Services.AddSingleton<BooksService>();
        builder.Services.AddSingleton<FaultControl>();
        builder.Services.AddSingleton<ControlService>();
        builder.Services.AddHostedService<NotificationDispatcher>();
        builder.Services.AddHostedService<RefundSettler>();

        var app = builder.Build();

        // Bad keys or merchant settings stop the start here, naming the setting.
        app.Services.GetRequiredService<SimState>();
        app.MapTransactions();
        app.MapRefunds();
        app.MapCertificates();
        app.MapControl();
        return app;
    }

    private static SimKeys CreateKeys(WeChatPaySimOptions options)
    {
        var key = RSA.Create(2048);
        if (!string.IsNullOrWhiteSpace(options.PrivateKeyPath))
        {
            key.ImportFromPem(File.ReadAllText(options.PrivateKeyPath));
        }

        if (options.NotifyRetryFactor <= 0 || options.NotifyMaxAttempts is < 1 or > 16)
        {
            throw new OptionsValidationException(
                WeChatPaySimOptions.SectionName, typeof(WeChatPaySimOptions), ["NotifyRetryFactor must be > 0 and NotifyMaxAttempts 1 to 16"]);
        }

        return new SimKeys(key, options.PublicKeyId ?? SimKeys.NewPublicKeyId(options.MchId), options.CertificateValidity);
    }
}
