namespace WeChatPay.Simulator;

/// <summary>An enum's snake_case names on the control API, both ways.</summary>
internal sealed class WireNames<T>(IReadOnlyDictionary<string, T> names)
    where T : struct, Enum
{
    public IEnumerable<string> All => names.Keys;

    public string OneOf => string.Join(", ", names.Keys);

    public bool TryParse(string? text, out T value) => names.TryGetValue(text ?? "", out value);

    public string Key(T value) => names.First(n => EqualityComparer<T>.Default.Equals(n.Value, value)).Key;
}
