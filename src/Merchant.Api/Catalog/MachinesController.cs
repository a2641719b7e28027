using Merchant.Api.Hosting;
using Merchant.Api.Auth;
using Merchant.Api.Checkouts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Merchant.Api.Catalog;

[ApiController]
[Route("api/v1/machines")]
[Authorize(Policy = ApiKeyServiceCollectionExtensions.StorefrontPolicy)]
[Tags("Catalog")]
public sealed class MachinesController(CatalogService catalog) : ControllerBase
{
    /// <summary>The merchant's machines with their online state.</summary>
    [ProblemCodes(503, "platform_unavailable")]
    [HttpGet]
    [ProducesResponseType<IReadOnlyList<MachineView>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable)]
    public async Task<ActionResult<IReadOnlyList<MachineView>>> List(CancellationToken cancellationToken) =>
        Ok(await catalog.MachinesAsync(cancellationToken));

    /// <summary>A machine's products with price and live stock.</summary>
    [ProblemCodes(400, "validation_failed")]
    [ProblemCodes(404, "machine_not_found")]
    [ProblemCodes(409, "machine_offline")]
    [ProblemCodes(503, "platform_unavailable")]
    [HttpGet("{machine_no}/products")]
    [ProducesResponseType<IReadOnlyList<ProductView>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable)]
    public async Task<ActionResult<IReadOnlyList<ProductView>>> Products([FromRoute(Name = "machine_no")] string machineNo, CancellationToken cancellationToken)
    {
        CheckoutValidation.MachineNo(machineNo);
        return Ok(await catalog.ProductsAsync(machineNo, cancellationToken));
    }

    /// <summary>A machine's banners, to show above its products: highest sort first.</summary>
    [ProblemCodes(400, "validation_failed")]
    [ProblemCodes(404, "machine_not_found")]
    [ProblemCodes(409, "machine_offline")]
    [ProblemCodes(503, "platform_unavailable")]
    [HttpGet("{machine_no}/banners")]
    [ProducesResponseType<IReadOnlyList<BannerView>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable)]
    public async Task<ActionResult<IReadOnlyList<BannerView>>> Banners([FromRoute(Name = "machine_no")] string machineNo, CancellationToken cancellationToken)
    {
        CheckoutValidation.MachineNo(machineNo);
        return Ok(await catalog.BannersAsync(machineNo, cancellationToken));
    }
}
