using Merchant.Api.Auth;
using Merchant.Api.Hosting;
using Merchant.Api.Idempotency;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Merchant.Api.Fleet;

[ApiController]
[Route("api/v1/ops")]
[Authorize(Policy = ApiKeyServiceCollectionExtensions.OpsPolicy)]
[Tags("Fleet")]
public sealed class FleetController(FleetService fleet, TestDispenseService tests, AlertService alerts, IdempotencyService idempotency) : ControllerBase
{
    /// <summary>Every machine: online and operating, slots in fault, slots low on stock, what it is dispensing, today's trades and refunds.</summary>
    /// <remarks>Reads the machines and their slots from the platform first; when it does not answer, the last known state is shown.</remarks>
    [HttpGet("machines")]
    [ProducesResponseType<IReadOnlyList<MachineListItem>>(StatusCodes.Status200OK)]
    public async Task<ActionResult<IReadOnlyList<MachineListItem>>> Machines(CancellationToken cancellationToken) =>
        Ok(await fleet.MachinesAsync(cancellationToken));

    /// <summary>A machine by cabinet: each slot's product, stock against capacity, health and last failure; today's trades and refunds.</summary>
    [ProblemCodes(400, "validation_failed")]
    [ProblemCodes(404, "machine_not_found")]
    [HttpGet("machines/{machine_no}")]
    [ProducesResponseType<MachineDetail>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public async Task<ActionResult<MachineDetail>> Machine([FromRoute(Name = "machine_no")] string machineNo, CancellationToken cancellationToken) =>
        await fleet.DetailAsync(machineNo, cancellationToken);

    /// <summary>Restocks a product, a category or the whole machine (never above a slot's capacity); answers the restocked slots.</summary>
    /// <remarks>Requires <c>Idempotency-Key</c>. The storefront's stock is read afresh. Slot faults are cleared only with <c>clear_faults: true</c>.</remarks>
    [ProblemCodes(400, "validation_failed", "invalid_request", "idempotency_key_missing", "idempotency_key_invalid")]
    [ProblemCodes(404, "slot_not_found", "machine_not_found")]
    [ProblemCodes(409, "machine_offline", "idempotency_request_in_flight")]
    [ProblemCodes(422, "over_capacity", "idempotency_key_reused")]
    [ProblemCodes(503, "platform_unavailable")]
    [HttpPost("machines/{machine_no}/restock")]
    [ProducesResponseType<RestockResult>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable)]
    public Task<IActionResult> Restock(
        [FromRoute(Name = "machine_no")] string machineNo,
        [FromBody] RestockRequest request,
        [FromHeader(Name = IdempotencyService.HeaderName)] string? idempotencyKey,
        CancellationToken cancellationToken) =>
        idempotency.RunAsync(User.KeyId(), idempotencyKey, $"POST /api/v1/ops/machines/{machineNo}/restock", request, StatusCodes.Status200OK,
            async () => (object)await fleet.RestockAsync(machineNo, request, cancellationToken), cancellationToken);

    /// <summary>Clears a slot's fault by hand (after mending it): the slot sells again. A slot not in fault is answered as it is.</summary>
    [ProblemCodes(400, "validation_failed")]
    [ProblemCodes(404, "slot_not_found")]
    [HttpPost("machines/{machine_no}/slots/{slot}/clear")]
    [ProducesResponseType<SlotClearResult>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public async Task<ActionResult<SlotClearResult>> ClearSlot(
        [FromRoute(Name = "machine_no")] string machineNo, [FromRoute] string slot, CancellationToken cancellationToken) =>
        await fleet.ClearSlotAsync(machineNo, slot, cancellationToken);

    /// <summary>Test-dispenses a slot: queued behind any dispensing line, never beside one; a success clears the slot's fault.</summary>
    /// <remarks>200 with the result when it comes within <c>Fleet:TestDispenseWait</c>, else 202 with the test dispense as it stands
    /// (follow <c>Location</c>). <c>wait: false</c> answers 409 <c>machine_busy</c> instead of queueing behind another command.</remarks>
    [ProblemCodes(400, "validation_failed")]
    [ProblemCodes(404, "slot_not_found")]
    [ProblemCodes(409, "machine_busy")]
    [HttpPost("machines/{machine_no}/test_dispense")]
    [ProducesResponseType<TestDispenseView>(StatusCodes.Status200OK)]
    [ProducesResponseType<TestDispenseView>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public async Task<ActionResult<TestDispenseView>> TestDispense(
        [FromRoute(Name = "machine_no")] string machineNo, [FromBody] TestDispenseRequest request, CancellationToken cancellationToken)
    {
        var (view, finished) = await tests.RunAsync(machineNo, request, cancellationToken);
        return finished ? Ok(view) : AcceptedAtAction(nameof(GetTestDispense), new { machine_no = machineNo, test_dispense_id = view.TestDispenseId }, view);
    }

    /// <summary>A test dispense as it stands.</summary>
    [ProblemCodes(404, "not_found")]
    [HttpGet("machines/{machine_no}/test_dispenses/{test_dispense_id:long}")]
    [ProducesResponseType<TestDispenseView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public async Task<ActionResult<TestDispenseView>> GetTestDispense(
        [FromRoute(Name = "machine_no")] string machineNo, [FromRoute(Name = "test_dispense_id")] long testDispenseId, CancellationToken cancellationToken) =>
        await tests.GetAsync(machineNo, testDispenseId, cancellationToken);

    /// <summary>Open alerts — machine offline, slot fault, low stock, needs attention, refund unconfirmed — each with since-when and what to do.</summary>
    /// <remarks>Reads the machines from the platform first unless <c>refresh=false</c>; <c>stale: true</c> when the platform did not answer.</remarks>
    [HttpGet("alerts")]
    [ProducesResponseType<AlertList>(StatusCodes.Status200OK)]
    public async Task<ActionResult<AlertList>> Alerts([FromQuery] bool refresh = true, CancellationToken cancellationToken = default) =>
        await alerts.ListAsync(refresh, cancellationToken);
}

[ApiController]
[Route("api/v1/ops")]
[Authorize(Policy = ApiKeyServiceCollectionExtensions.OpsPolicy)]
[Tags("Fleet")]
public sealed class PickupCodesController(PickupCodeService codes, IdempotencyService idempotency) : ControllerBase
{
    /// <summary>Generates pickup codes for a product, or for every product without <c>product_id</c>; the codes are shown in this answer only.</summary>
    /// <remarks>Requires <c>Idempotency-Key</c> (generating is not safe to repeat): the same key replays the answer with the last digits
    /// only (<c>codes_shown: false</c>); only a keyed hash and the last digits of each code are kept.</remarks>
    [ProblemCodes(400, "validation_failed", "invalid_request", "idempotency_key_missing", "idempotency_key_invalid")]
    [ProblemCodes(404, "product_not_found", "machine_not_found")]
    [ProblemCodes(409, "idempotency_request_in_flight")]
    [ProblemCodes(422, "pickup_codes_not_enabled", "idempotency_key_reused")]
    [ProblemCodes(503, "platform_unavailable")]
    [HttpPost("machines/{machine_no}/pickup_codes")]
    [ProducesResponseType<GeneratedCodes>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable)]
    public Task<IActionResult> Generate(
        [FromRoute(Name = "machine_no")] string machineNo,
        [FromBody] PickupCodesRequest request,
        [FromHeader(Name = IdempotencyService.HeaderName)] string? idempotencyKey,
        CancellationToken cancellationToken) =>
        idempotency.RunAsync(User.KeyId(), idempotencyKey, $"POST /api/v1/ops/machines/{machineNo}/pickup_codes", request, StatusCodes.Status201Created,
            async claim => (object)await codes.GenerateAsync(machineNo, request, claim, cancellationToken), cancellationToken);

    /// <summary>A product's unused, unexpired codes (last digits only), marking those issued through this service.</summary>
    [ProblemCodes(400, "validation_failed")]
    [ProblemCodes(404, "machine_not_found", "not_found")]
    [ProblemCodes(503, "platform_unavailable")]
    [HttpGet("machines/{machine_no}/products/{product_id:long}/pickup_codes")]
    [ProducesResponseType<IReadOnlyList<PickupCodeView>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable)]
    public async Task<ActionResult<IReadOnlyList<PickupCodeView>>> List(
        [FromRoute(Name = "machine_no")] string machineNo, [FromRoute(Name = "product_id")] long productId, CancellationToken cancellationToken) =>
        Ok(await codes.ListAsync(machineNo, productId, cancellationToken));

    /// <summary>Cancels one unused code, every unused code of a product, or of the whole machine.</summary>
    [ProblemCodes(400, "validation_failed")]
    [ProblemCodes(404, "pickup_code_not_found", "machine_not_found")]
    [ProblemCodes(503, "platform_unavailable")]
    [HttpPost("machines/{machine_no}/pickup_codes/cancel")]
    [ProducesResponseType<CancelledCodes>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable)]
    public async Task<ActionResult<CancelledCodes>> Cancel(
        [FromRoute(Name = "machine_no")] string machineNo, [FromBody] CancelCodesRequest request, CancellationToken cancellationToken) =>
        await codes.CancelAsync(machineNo, request, cancellationToken);

    /// <summary>Settles a failed pickup (<c>needs_attention</c>) with a new code for the same product: the trade ends <c>replaced</c>.</summary>
    /// <remarks>The code is shown in this answer only. One replacement per trade: a second request finds the trade replaced (409).</remarks>
    [ProblemCodes(400, "validation_failed")]
    [ProblemCodes(404, "not_found")]
    [ProblemCodes(409, "invalid_transition", "not_a_pickup")]
    [ProblemCodes(422, "pickup_codes_not_enabled")]
    [ProblemCodes(503, "platform_unavailable")]
    [HttpPost("trades/{trade_id}/replacement_code")]
    [ProducesResponseType<ReplacementCode>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable)]
    public async Task<ActionResult<ReplacementCode>> Replace(
        [FromRoute(Name = "trade_id")] string tradeId, [FromBody] ReplacementCodeRequest? request, CancellationToken cancellationToken) =>
        StatusCode(StatusCodes.Status201Created, await codes.ReplaceAsync(tradeId, request ?? new ReplacementCodeRequest(null, null), cancellationToken));
}
