using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Merchant.Api.Errors;

namespace Merchant.Api.Ops;

/// <summary>
/// Where a page of the ops search ended: the last trade's created_at (microseconds, PostgreSQL's precision) and trade_id.
/// Opaque to clients (base64url), so its shape can change without a contract change.
/// </summary>
public readonly record struct TradeCursor(DateTimeOffset CreatedAt, string TradeId)
{
    private const string Version = "1";

    public string Encode()
    {
        var micros = (CreatedAt.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        return Base64Url.EncodeToString(Encoding.ASCII.GetBytes($"{Version}.{micros.ToString(CultureInfo.InvariantCulture)}.{TradeId}"));
    }

    /// <summary>Anything a client did not get from us is a 400 <c>validation_failed</c>, never a 500.</summary>
    public static TradeCursor Decode(string cursor)
    {
        var bad = ApiProblem.Validation("cursor is not a cursor this service gave out; start again without one.");
        if (cursor.Length > 128 || !Base64Url.IsValid(cursor))
        {
            throw bad;
        }

        string text;
        try
        {
            text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException)
        {
            throw bad;
        }

        var parts = text.Split('.');
        if (parts.Length != 3 || parts[0] != Version
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var micros)
            || micros > (DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10
            || parts[2].Length is < 1 or > 32 || !parts[2].All(char.IsAsciiDigit))
        {
            throw bad;
        }

        return new TradeCursor(DateTimeOffset.UnixEpoch.AddTicks(micros * 10), parts[2]);
    }
}
