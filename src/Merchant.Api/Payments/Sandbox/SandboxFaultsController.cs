using Merchant.Api.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Merchant.Api.Payments.Sandbox;

/// <summary>The sandbox's fault switch, for tests and demos; not part of the API (left out of its OpenAPI document).</summary>
[ApiController]
[Route("api/v1/sandbox/faults")]
[Authorize(Policy = ApiKeyServiceCollectionExtensions.OpsPolicy)]
[ApiExplorerSettings(IgnoreApi = true)]
public sealed class SandboxFaultsController(SandboxFaults faults) : ControllerBase
{
    [HttpPost]
    public async Task<ActionResult<SandboxFault>> Add([FromBody] SandboxFaultRequest request, CancellationToken cancellationToken) =>
        Created((string?)null, await faults.AddAsync(request, cancellationToken));

    [HttpGet]
    public async Task<ActionResult<IReadOnlyList<SandboxFault>>> List(CancellationToken cancellationToken) =>
        Ok(await faults.ListAsync(cancellationToken));

    [HttpDelete]
    public async Task<IActionResult> Clear(CancellationToken cancellationToken)
    {
        await faults.ClearAsync(cancellationToken);
        return NoContent();
    }
}
