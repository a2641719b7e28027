namespace Vending.Platform;

/// <summary>Any failed platform call. The message carries the endpoint, category, code and platform text — never credentials or payloads.</summary>
public sealed class PlatformException : Exception
{
    public PlatformException(
        string endpoint,
        PlatformErrorCategory category,
        int code,
        string platformMessage,
        int? httpStatus = null,
        bool outcomeUnknown = false,
        long? earlierOrderId = null,
        Exception? innerException = null)
        : base(Describe(endpoint, category, code, platformMessage, httpStatus, outcomeUnknown), innerException)
    {
        Endpoint = endpoint;
        Category = category;
        Code = code;
        PlatformMessage = platformMessage;
        HttpStatus = httpStatus;
        OutcomeUnknown = outcomeUnknown;
        EarlierOrderId = earlierOrderId;
    }

    public string Endpoint { get; }

    public PlatformErrorCategory Category { get; }

    /// <summary>The envelope's code; the HTTP status when there was no envelope; 0 when there was no response.</summary>
    public int Code { get; }

    public string PlatformMessage { get; }

    public int? HttpStatus { get; }

    /// <summary>The request may have reached the platform and taken effect, but no definitive answer came back.</summary>
    public bool OutcomeUnknown { get; }

    /// <summary>On 10025 (pickup code already used): the order that code already produced.</summary>
    public long? EarlierOrderId { get; }

    public bool IsTransient => Category == PlatformErrorCategory.Transient;

    private static string Describe(string endpoint, PlatformErrorCategory category, int code, string platformMessage, int? httpStatus, bool outcomeUnknown)
    {
        var http = httpStatus is { } status ? $", HTTP {status}" : "";
        var unknown = outcomeUnknown ? ", outcome unknown" : "";
        return $"Platform call {endpoint} failed: {category} (code {code}{http}{unknown}): {platformMessage}";
    }
}
