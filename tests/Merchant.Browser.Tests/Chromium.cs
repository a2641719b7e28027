using Microsoft.Playwright;

namespace Merchant.Browser.Tests;

/// <summary>
/// Debian's Chromium driven by Playwright's bundled driver; Playwright's own browser download is never used
/// (the machines are offline), so the browser must be installed (apt-get install chromium).
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string DefaultPath = "/usr/bin/chromium";
    public const float TimeoutMs = 20_000;

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: TestResults/screenshots beside the test assembly.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    /// <summary>docs/images of the repository, for the README's pictures.</summary>
    public static string DocsImages { get; } = Path.Combine(RepositoryRoot(), "docs", "images");

    public async Task InitializeAsync()
    {
        var executable = Environment.GetEnvironmentVariable("MERCHANT_CHROMIUM") ?? DefaultPath;
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Chromium was not found at {executable}: apt-get install chromium (or set MERCHANT_CHROMIUM).");
        }

        Assertions.SetDefaultExpectTimeout(TimeoutMs);
        _playwright = await Playwright.CreateAsync();
        // LaunchAsync gives every browser a fresh temporary profile (user data dir) and deletes it on close.
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Timeout = 30_000,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        });
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
    }

    /// <summary>A phone-sized page on the API, with every wait bounded.</summary>
    public async Task<IPage> PhoneAsync(string baseUrl)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl,
            ViewportSize = new ViewportSize { Width = 400, Height = 820 },
            DeviceScaleFactor = 2,
            IsMobile = true,
            HasTouch = true,
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(TimeoutMs);
        context.SetDefaultNavigationTimeout(TimeoutMs);
        return await context.NewPageAsync();
    }

    /// <summary>A desktop page that answers Basic authentication with the given password (the docs need an ops key outside Development).</summary>
    public async Task<IPage> DesktopAsync(string baseUrl, string password)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            HttpCredentials = new HttpCredentials { Username = "ops", Password = password, Origin = baseUrl },
            Locale = "en-US",
        });
        context.SetDefaultTimeout(TimeoutMs);
        context.SetDefaultNavigationTimeout(TimeoutMs);
        return await context.NewPageAsync();
    }

    public static async Task<string> ScreenshotAsync(IPage page, string name, bool fullPage = true)
    {
        var path = Path.Combine(ScreenshotDirectory, $"{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage, Timeout = TimeoutMs });
        return path;
    }

    public static string CopyToDocs(string screenshot, string name)
    {
        Directory.CreateDirectory(DocsImages);
        var target = Path.Combine(DocsImages, name);
        File.Copy(screenshot, target, overwrite: true);
        return target;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Merchant.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Merchant.sln above {AppContext.BaseDirectory}.");
    }
}
