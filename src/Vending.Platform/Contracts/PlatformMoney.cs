using System.Globalization;

namespace Vending.Platform;

/// <summary>Converts the platform's decimal-string amounts ("3.00") to and from fen, without ever touching floating point.</summary>
public static class PlatformMoney
{
    private const NumberStyles AmountStyle =
        NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite | NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;

    /// <summary>False for text that is not a plain decimal amount; an empty or omitted amount is 0.</summary>
    public static bool TryParseFen(string? amount, out long fen)
    {
        fen = 0;
        if (string.IsNullOrWhiteSpace(amount))
        {
            return true;
        }

        if (!decimal.TryParse(amount, AmountStyle, CultureInfo.InvariantCulture, out var yuan)
            || Math.Abs(yuan) > long.MaxValue / 100)
        {
            return false;
        }

        fen = (long)decimal.Round(yuan * 100, MidpointRounding.AwayFromZero);
        return true;
    }

    // NOTE: unreadable amounts read as 0 here; callers that must tell "free" from "garbage" use TryParseFen.
    public static long ToFen(string? amount) => TryParseFen(amount, out var fen) ? fen : 0;

    public static string FormatFen(long fen) => (fen / 100m).ToString("0.00", CultureInfo.InvariantCulture);
}
