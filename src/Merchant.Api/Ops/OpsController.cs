using Merchant.Api.Hosting;
using Merchant.Api.Auth;
using Merchant.Api.Jobs;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Merchant.Api.Ops;

[ApiController]
[Route("api/v1/ops")]
[Authorize(Policy = ApiKeyServiceCollectionExtensions.OpsPolicy)]
[Tags("Ops")]
public sealed class OpsController(OpsService ops, Telemetry.MetricsSnapshot metrics) : ControllerBase
{
    /// <summary>This instance's metrics, aggregated since it started (no collector needed); OTLP export is separate.</summary>
    [HttpGet("metrics")]
    [ProducesResponseType<IReadOnlyList<Telemetry.MetricView>>(StatusCodes.Status200OK)]
    public ActionResult<IReadOnlyList<Telemetry.MetricView>> Metrics() => Ok(metrics.Read());

    /// <summary>
    /// Trades, newest first, filtered by status, machine and creation time; <c>limit</c> a page (≤ 200, default 50).
    /// Follow <c>next_cursor</c> for the next page; <c>page</c> works for the first 100 pages only (then 400 <c>use_cursor</c>).
    /// <c>total</c> when the filter matches at most 10,000 trades, else <c>total_estimate</c>.
    /// </summary>
    [ProblemCodes(400, "validation_failed", "use_cursor")]
    [HttpGet("trades")]
    [ProducesResponseType<TradePage>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest)]
    public async Task<ActionResult<TradePage>> List(
        [FromQuery] string? status, [FromQuery(Name = "machine_no")] string? machineNo,
        [FromQuery] DateTimeOffset? from, [FromQuery] DateTimeOffset? to, [FromQuery] string? cursor, [FromQuery] int? limit,
        [FromQuery] int? page, CancellationToken cancellationToken = default) =>
        await ops.ListAsync(status, machineNo, from, to, cursor, limit, page, cancellationToken);

    /// <summary>A trade with its full timeline: transitions, platform calls, callbacks, payments, refunds, jobs.</summary>
    [ProblemCodes(404, "not_found")]
    [HttpGet("trades/{trade_id}")]
    [ProducesResponseType<TradeDetail>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    public async Task<ActionResult<TradeDetail>> Detail([FromRoute(Name = "trade_id")] string tradeId, CancellationToken cancellationToken) =>
        await ops.DetailAsync(tradeId, cancellationToken);

    /// <summary>Re-reads the order from the platform and applies what it says.</summary>
    [ProblemCodes(404, "not_found")]
    [ProblemCodes(409, "no_platform_order")]
    [ProblemCodes(503, "platform_unavailable")]
    [HttpPost("trades/{trade_id}/reconcile")]
    [ProducesResponseType<TradeDetail>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable)]
    public async Task<ActionResult<TradeDetail>> Reconcile([FromRoute(Name = "trade_id")] string tradeId, CancellationToken cancellationToken) =>
        await ops.ReconcileAsync(tradeId, cancellationToken);

    /// <summary>Refunds one line that needs attention; the refund is paid by a job (watch the timeline).</summary>
    [ProblemCodes(404, "not_found")]
    [ProblemCodes(409, "invalid_transition", "nothing_to_refund")]
    [HttpPost("trades/{trade_id}/lines/{line_id:int}/refund")]
    [ProducesResponseType<TradeDetail>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public async Task<ActionResult<TradeDetail>> RefundLine([FromRoute(Name = "trade_id")] string tradeId, [FromRoute(Name = "line_id")] int lineId, CancellationToken cancellationToken) =>
        Accepted(await ops.RefundLineAsync(tradeId, lineId, cancellationToken));

    /// <summary>Counts by status (overall and per machine), the line each machine is dispensing, stuck work, money today.</summary>
    [HttpGet("summary")]
    [ProducesResponseType<Summary>(StatusCodes.Status200OK)]
    public async Task<ActionResult<Summary>> Summary(CancellationToken cancellationToken) =>
        await ops.SummaryAsync(cancellationToken);

    /// <summary>Jobs by status; <c>failed</c> lists work that gave up.</summary>
    [HttpGet("jobs")]
    [ProducesResponseType<IReadOnlyList<JobView>>(StatusCodes.Status200OK)]
    public async Task<ActionResult<IReadOnlyList<JobView>>> Jobs([FromQuery] string status = Job.Failed, CancellationToken cancellationToken = default) =>
        Ok(await ops.JobsAsync(status, cancellationToken));

    /// <summary>Puts a job that gave up back in the queue with a fresh deadline.</summary>
    [ProblemCodes(409, "job_not_failed")]
    [HttpPost("jobs/{job_id:long}/retry")]
    [ProducesResponseType(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict)]
    public async Task<IActionResult> RetryJob([FromRoute(Name = "job_id")] long jobId, CancellationToken cancellationToken)
    {
        await ops.RetryJobAsync(jobId, cancellationToken);
        return Accepted();
    }
}
