using Merchant.Api.Auth;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace Merchant.Api.Demo;

public sealed class DemoOptions
{
    /// <summary>Serve the storefront demo at /demo (on in the local run, off by default).</summary>
    public bool Enabled { get; set; }

    /// <summary>The storefront key the demo page uses; it calls only the public API, like any storefront.</summary>
    public string? StorefrontKey { get; set; }

    public override string ToString() => $"Enabled={Enabled}, StorefrontKey=***";
}

internal sealed class DemoOptionsValidator : IValidateOptions<DemoOptions>
{
    public ValidateOptionsResult Validate(string? name, DemoOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        // The page sends this key as it is: without one, or with only its hash, every call it makes is refused.
        var problem = ApiKeyStore.FormatProblem("Demo:StorefrontKey", options.StorefrontKey)
            ?? (ApiKeyStore.IsHashed(options.StorefrontKey!) ? "Demo:StorefrontKey must be the plain key, not its hash." : null);
        return problem is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problem);
    }
}

/// <summary>The storefront demo: static files under wwwroot/demo and the key it should use.</summary>
public static class DemoSetup
{
    public static void MapDemo(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<DemoOptions>>().Value;
        if (!options.Enabled)
        {
            return;
        }

        // Run from the repository root there is no wwwroot beside us (WebRootPath is ""): use the copy in the output folder.
        var webRoot = string.IsNullOrEmpty(app.Environment.WebRootPath) || !Directory.Exists(Path.Combine(app.Environment.WebRootPath, "demo"))
            ? Path.Combine(AppContext.BaseDirectory, "wwwroot")
            : app.Environment.WebRootPath;
        var root = Path.Combine(webRoot, "demo");
        if (!Directory.Exists(root))
        {
            return;
        }

        var files = new PhysicalFileProvider(root);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = "/demo" });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files, RequestPath = "/demo" });
        app.MapGet("/demo/config.json", () => Results.Json(new { api_key = options.StorefrontKey ?? string.Empty }))
            .ExcludeFromDescription();
    }
}
