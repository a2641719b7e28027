using System.Globalization;

namespace Vending.Platform;

/// <summary>One field of a signed payload: a string, or an integer written as a JSON number.</summary>
public readonly record struct PayloadField
{
    private PayloadField(string name, string? value, bool isNumber)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Value = value;
        IsNumber = isNumber;
    }

    public string Name { get; }

    /// <summary>The raw text that goes into the string to sign.</summary>
    public string? Value { get; }

    public bool IsNumber { get; }

    /// <summary>Empty values are left out of both the signature and the JSON; <c>"0"</c> is not empty.</summary>
    public bool IsEmpty => Value is null or "" or "NULL";

    public static PayloadField Text(string name, string? value) => new(name, value, isNumber: false);

    public static PayloadField Text(string name, long value) => new(name, value.ToString(CultureInfo.InvariantCulture), isNumber: false);

    public static PayloadField Number(string name, long value) => new(name, value.ToString(CultureInfo.InvariantCulture), isNumber: true);
}
