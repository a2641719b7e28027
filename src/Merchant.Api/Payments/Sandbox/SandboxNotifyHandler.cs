using System.Text;
using Merchant.Api.Jobs;
using Merchant.Api.PlatformNotify;

namespace Merchant.Api.Payments.Sandbox;

/// <summary>Delivers a sandbox payment notification over HTTP to our own notify endpoint, as a real provider would.</summary>
public sealed class SandboxNotifyHandler(IHttpClientFactory http, PublicUrls urls, SandboxSigner signer) : IJobHandler
{
    public const string HttpClientName = "sandbox-notify";

    public async Task<JobOutcome> HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        var body = job.Payload ?? "{}";
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{urls.BaseUrl}/api/v1/payments/{SandboxProvider.ProviderName}/notify")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(SandboxProvider.SignatureHeader, signer.Sign(body));
        using var response = await http.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
        return response.IsSuccessStatusCode
            ? JobOutcome.Done
            : JobOutcome.Retry($"notify answered {(int)response.StatusCode}");
    }

    public Task OnDeadlineAsync(JobContext job, string lastError, CancellationToken cancellationToken) => Task.CompletedTask;
}
