using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Merchant.Api.Errors;
using Merchant.Api.Hosting;

namespace Merchant.Api.Demo;

/// <summary>
/// The demo's "Scan and pay (simulator)": asks the WeChat Pay simulator's control API to play the customer paying a trade,
/// server-side because the page cannot call another origin. The trade then moves only through WeChat Pay's notification.
/// </summary>
public sealed partial class SimulatedCustomer(HttpClient http, ILogger<SimulatedCustomer> logger)
{
    public async Task<IResult> PayAsync(string tradeId, CancellationToken cancellationToken)
    {
        // Our trade id is the out_trade_no; anything else could never name a WeChat Pay order.
        if (!OutTradeNo().IsMatch(tradeId))
        {
            throw ApiProblem.NotFound($"Trade {tradeId}");
        }

        HttpResponseMessage response;
        try
        {
            response = await http.PostAsJsonAsync($"_sim/transactions/{Uri.EscapeDataString(tradeId)}/pay", new { }, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogUnreachable(logger, tradeId, e.GetType().Name);
            throw Unavailable("The WeChat Pay simulator did not answer.");
        }

        using (response)
        {
            LogAnswered(logger, tradeId, (int)response.StatusCode);
            if (response.IsSuccessStatusCode)
            {
                return Results.Json(new SimulatedPayResponse(tradeId, "paid"), WireJson.Options, statusCode: StatusCodes.Status202Accepted);
            }

            var error = await ReadErrorAsync(response, cancellationToken);
            throw response.StatusCode switch
            {
                HttpStatusCode.NotFound => new ApiProblem(StatusCodes.Status404NotFound, "not_found",
                    $"The WeChat Pay simulator has no order for trade {tradeId}.", error),
                HttpStatusCode.Conflict => new ApiProblem(StatusCodes.Status409Conflict, "not_payable",
                    "The WeChat Pay simulator will not take a payment for this trade now.", error),
                _ => Unavailable($"The WeChat Pay simulator answered {(int)response.StatusCode}."),
            };
        }
    }

    private static ApiProblem Unavailable(string detail) =>
        new(StatusCodes.Status502BadGateway, "simulator_unavailable", "The WeChat Pay simulator could not play the customer.", detail);

    private static async Task<string?> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return (await response.Content.ReadFromJsonAsync<SimulatorError>(cancellationToken))?.Error;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex("^[0-9A-Za-z_|*-]{6,32}$")]
    private static partial Regex OutTradeNo();

    [LoggerMessage(1, LogLevel.Information, "Demo: the WeChat Pay simulator answered {Status} to paying trade {TradeId}")]
    private static partial void LogAnswered(ILogger logger, string tradeId, int status);

    [LoggerMessage(2, LogLevel.Warning, "Demo: the WeChat Pay simulator could not be reached to pay trade {TradeId} ({Error})")]
    private static partial void LogUnreachable(ILogger logger, string tradeId, string error);

    private sealed record SimulatorError(string? Error);
}

public sealed record SimulatedPayResponse(string TradeId, string Outcome);
