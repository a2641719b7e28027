using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Merchant.Browser.Tests;

/// <summary>
/// What every storefront demo test shares: a stack of its own, phone pages that record browser errors and any request
/// leaving the API (the machines are offline, and the demo must need nothing else), and screenshots for the README.
/// </summary>
public abstract class DemoPageTests(Chromium chromium, ITestOutputHelper output) : IClassFixture<Chromium>, IAsyncLifetime
{
    private readonly List<IBrowserContext> _contexts = [];

    protected DemoStack Stack { get; private set; } = null!;

    protected Chromium Chromium => chromium;

    protected List<string> BrowserErrors { get; } = [];

    protected List<string> ForeignRequests { get; } = [];

    public async Task InitializeAsync() => Stack = await StartStackAsync();

    public async Task DisposeAsync()
    {
        // Pages first, so nothing polls the API while it stops.
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }

        await Stack.DisposeAsync();
    }

    protected abstract Task<DemoStack> StartStackAsync();

    protected async Task<IPage> OpenDemoAsync()
    {
        var page = Watch(await chromium.PhoneAsync(Stack.Api.BaseUrl));
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                BrowserErrors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => BrowserErrors.Add(error);
        await page.GotoAsync("/demo/");
        return page;
    }

    /// <summary>Closes the page's context after the test and notes any request that leaves the API (the machines are offline).</summary>
    protected IPage Watch(IPage page)
    {
        _contexts.Add(page.Context);
        var origin = Stack.Api.BaseUrl + "/";
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(origin, StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                ForeignRequests.Add(request.Url);
            }
        };
        return page;
    }

    /// <summary>Saves a screenshot of the step; with UPDATE_SNAPSHOTS=1 also refreshes the README's copy in docs/images.</summary>
    protected async Task SnapAsync(IPage page, string name, bool fullPage = true, string? docsName = null)
    {
        var path = await Chromium.ScreenshotAsync(page, name, fullPage);
        output.WriteLine($"screenshot: {path}");
        if (docsName is not null && Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1")
        {
            output.WriteLine($"README image: {Chromium.CopyToDocs(path, docsName)}");
        }
    }

    protected async Task<JsonElement> TradeAsync(string tradeId)
    {
        using var client = Stack.Api.Storefront;
        return await client.GetFromJsonAsync<JsonElement>($"/api/v1/trades/{tradeId}");
    }
}
