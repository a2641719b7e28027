namespace Merchant.Domain;

/// <summary>The snake_case names statuses carry on the wire and in the database.</summary>
public static class StatusNames
{
    public static string ToWire(this TradeStatus status) => Snake(status.ToString());

    public static string ToWire(this LineStatus status) => Snake(status.ToString());

    public static string ToWire(this TradeKind kind) => Snake(kind.ToString());

    public static bool TryParseTrade(string? value, out TradeStatus status) => TryParse(value, out status);

    public static bool TryParseLine(string? value, out LineStatus status) => TryParse(value, out status);

    public static T Parse<T>(string value)
        where T : struct, Enum =>
        TryParse<T>(value, out var parsed) ? parsed : throw new FormatException($"Unknown {typeof(T).Name} '{value}'.");

    private static bool TryParse<T>(string? value, out T parsed)
        where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (Snake(candidate.ToString()) == value)
            {
                parsed = candidate;
                return true;
            }
        }

        parsed = default;
        return false;
    }

    internal static string Snake(string pascal)
    {
        var builder = new System.Text.StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            if (char.IsUpper(pascal[i]) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(pascal[i]));
        }

        return builder.ToString();
    }
}
