using Merchant.Domain;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Merchant.Api.Persistence;

/// <summary>Statuses are stored as the same short snake_case strings the API shows.</summary>
internal static class StatusConverters
{
    public static readonly ValueConverter<TradeStatus, string> Trade =
        new(v => v.ToWire(), v => StatusNames.Parse<TradeStatus>(v));

    public static readonly ValueConverter<LineStatus, string> Line =
        new(v => v.ToWire(), v => StatusNames.Parse<LineStatus>(v));

    public static readonly ValueConverter<TradeKind, string> Kind =
        new(v => v.ToWire(), v => StatusNames.Parse<TradeKind>(v));
}
