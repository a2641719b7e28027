using Microsoft.Extensions.FileProviders;

namespace Merchant.Api.Demo;

public sealed class DemoOptions
{
    /// <summary>Serve the storefront demo at /demo (on in the local run, off by default).</summary>
    public bool Enabled { get; set; }

    /// <summary>The storefront key the demo page uses; it calls only the public API, like any storefront.</summary>
    public string? StorefrontKey { get; set; }

    public override string ToString() => $"Enabled={Enabled}, StorefrontKey=***";
}

/// <summary>The storefront demo: static files under wwwroot/demo and the key it should use.</summary>
public static class DemoSetup
{
    public static void MapDemo(this WebApplication app)
    {
        var options = app.Configuration.GetSection("Demo").Get<DemoOptions>() ?? new DemoOptions();
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
