using System.Text;
using System.Text.Json;
using Npgsql;

namespace Merchant.Reliability.Tests.Hostile;

/// <summary>What the fuzzers hold every answer to, how they send, and the rows a refused request must not write.</summary>
internal static class HostileAnswers
{
    public static readonly string[] Tables =
        ["trades", "trade_lines", "jobs", "payments", "refunds", "sandbox_payments", "sandbox_refunds", "platform_callbacks", "trade_events"];

    /// <summary>UTF-8 header values, so non-ASCII keys reach the server instead of being refused by the client.</summary>
    public static HttpClient Client(Uri baseAddress) =>
        new(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>A request as a fuzz case describes it: the key, headers and Content-Type sent exactly as given, unvalidated.</summary>
    public static HttpRequestMessage Request(HttpMethod method, string path, string? key, IEnumerable<(string Name, string Value)> headers,
        byte[]? body, string? contentType)
    {
        var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Api-Key", key);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            if (contentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        return request;
    }

    /// <summary>
    /// Sends a request; once more when a pooled connection turned out closed (the server closes a connection after
    /// refusing an oversized upload, and the client may have picked it just then).
    /// </summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient client, Func<HttpRequestMessage> build, bool oversized)
    {
        try
        {
            using var request = build();
            return await client.SendAsync(request);
        }
        catch (HttpRequestException e) when (!oversized && e.HttpRequestError is HttpRequestError.ResponseEnded or HttpRequestError.Unknown)
        {
            using var again = build();
            return await client.SendAsync(again);
        }
    }

    /// <summary>Why an answer is not a clean refusal: a 4xx problem (application/problem+json with a code), or a 2xx the case may get.</summary>
    public static string? Judge(string path, bool mayAccept, HttpResponseMessage response, int status, string body)
    {
        // Kestrel refuses a path holding an encoded NUL before any middleware runs: a bare 400, not ours to shape.
        if (status == 400 && body.Length == 0 && path.Contains("%00", StringComparison.Ordinal) && path.IndexOf('?') is var q
            && (q < 0 || path.IndexOf("%00", StringComparison.Ordinal) < q))
        {
            return null;
        }

        if (status >= 500)
        {
            return "server error";
        }

        if (status is >= 200 and < 300)
        {
            return mayAccept ? null : "accepted a request that must be refused";
        }

        if (status is < 400 or >= 500)
        {
            return "unexpected status";
        }

        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return "not application/problem+json";
        }

        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String && code.GetString()!.Length > 0
                ? null
                : "problem without a code";
        }
        catch (JsonException)
        {
            return "problem body is not JSON";
        }
    }

    public static string Shorten(string text) => text.Length <= 160 ? text : text[..160] + $"…({text.Length})";

    public static async Task<string> CountRowsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var counts = new List<string>();
        foreach (var table in Tables)
        {
            // The instance's own maintenance schedule (retention, counter recount) is a timer, not a refused request's write.
            var scheduled = table == "jobs" ? " WHERE coalesce(dedupe_key, '') NOT LIKE 'maintenance:%'" : "";
            await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table}{scheduled}", connection);
            counts.Add($"{table}={await command.ExecuteScalarAsync()}");
        }

        return string.Join(", ", counts);
    }
}
