using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Vending.Platform;

/// <summary>The platform's wall clock is GMT+8, written <c>yyyy-MM-dd HH:mm:ss</c> with no offset in the text.</summary>
public static class PlatformClock
{
    public const string TextFormat = "yyyy-MM-dd HH:mm:ss";

    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    public static string Format(DateTimeOffset instant) =>
        instant.ToOffset(Offset).ToString(TextFormat, CultureInfo.InvariantCulture);

    public static bool TryParse([NotNullWhen(true)] string? text, out DateTimeOffset instant)
    {
        if (DateTime.TryParseExact(text?.Trim(), TextFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            instant = new DateTimeOffset(local, Offset);
            return true;
        }

        instant = default;
        return false;
    }
}
