using Microsoft.Extensions.Logging;

namespace Vending.Platform;

// Ids, outcome and timing only: never headers, payloads, signs or credentials.
internal static partial class Log
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug,
        Message = "Platform {Endpoint} ok for machine {MachineNo} order {OrderId} in {ElapsedMs} ms (attempt {Attempt})")]
    public static partial void CallSucceeded(ILogger logger, string endpoint, string? machineNo, long? orderId, long elapsedMs, int attempt);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning,
        Message = "Platform {Endpoint} failed for machine {MachineNo} order {OrderId} in {ElapsedMs} ms (attempt {Attempt}): {Category}, code {PlatformCode}, HTTP {HttpStatus}, outcome unknown {OutcomeUnknown}")]
    public static partial void CallFailed(
        ILogger logger,
        Exception? transportError,
        string endpoint,
        string? machineNo,
        long? orderId,
        long elapsedMs,
        int attempt,
        PlatformErrorCategory category,
        int platformCode,
        int? httpStatus,
        bool outcomeUnknown);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning,
        Message = "Platform {Endpoint} for machine {MachineNo} order {OrderId} gave up: {Reason} (outcome unknown {OutcomeUnknown})")]
    public static partial void CallGaveUp(ILogger logger, string endpoint, string? machineNo, long? orderId, string reason, bool outcomeUnknown);
}
