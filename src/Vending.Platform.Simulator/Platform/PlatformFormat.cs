using System.Globalization;

namespace Vending.Platform.Simulator.Platform;

internal static class PlatformFormat
{
    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    public static string Money(long fen) =>
        string.Create(CultureInfo.InvariantCulture, $"{fen / 100}.{fen % 100:D2}");

    public static bool TryParseMoney(string? text, out long fen)
    {
        fen = 0;
        if (!decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value)
            || value < 0 || decimal.Round(value, 2) != value)
        {
            return false;
        }

        fen = (long)(value * 100);
        return true;
    }

    public static string DateTime(DateTimeOffset at) =>
        at.ToOffset(China).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Date(DateTimeOffset at) =>
        at.ToOffset(China).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Unix(DateTimeOffset at) =>
        at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    public static bool TryParseChinaTime(string text, out DateTimeOffset at)
    {
        if (System.DateTime.TryParseExact(
                text, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            at = new DateTimeOffset(local, China).ToUniversalTime();
            return true;
        }

        at = default;
        return false;
    }
}
