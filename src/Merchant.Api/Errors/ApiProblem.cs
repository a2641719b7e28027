namespace Merchant.Api.Errors;

/// <summary>An answer that is an error by design: mapped to problem details with its stable <see cref="Code"/>.</summary>
public sealed class ApiProblem(int status, string code, string title, string? detail = null) : Exception(detail ?? title)
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public string Title { get; } = title;

    public string? Detail { get; } = detail;

    public IDictionary<string, object?> Extensions { get; } = new Dictionary<string, object?>();

    public ApiProblem With(string key, object? value)
    {
        Extensions[key] = value;
        return this;
    }

    public static ApiProblem NotFound(string what) => new(StatusCodes.Status404NotFound, "not_found", $"{what} was not found.");

    public static ApiProblem Validation(string detail) => new(StatusCodes.Status400BadRequest, "validation_failed", "The request is not valid.", detail);

    public static ApiProblem PlatformUnavailable(string detail) =>
        new(StatusCodes.Status503ServiceUnavailable, "platform_unavailable", "The vending platform could not be reached.", detail);
}
