using System.Text;

namespace Merchant.Domain;

/// <summary>Renders the transition table as Mermaid, so docs/trade-states.md is generated, never hand-kept.</summary>
public static class TransitionDiagram
{
    public static string RenderMarkdown()
    {
        var builder = new StringBuilder();
        builder.Append("# Trade and line states\n\n");
        builder.Append("Generated from `Merchant.Domain.Transitions` by the domain tests; do not edit by hand.\n");
        builder.Append("A trigger repeated after it was taken is a no-op; any other pair not drawn here is refused (409 `invalid_transition`).\n\n");
        builder.Append("## Trade\n\n```mermaid\nstateDiagram-v2\n");
        builder.Append("    [*] --> created\n");
        foreach (var row in Transitions.Trade)
        {
            builder.Append($"    {row.From.ToWire()} --> {row.To.ToWire()}: {StatusNames.Snake(row.Trigger.ToString())}\n");
        }

        foreach (var terminal in Enum.GetValues<TradeStatus>().Where(s => s.IsTerminal()))
        {
            builder.Append($"    {terminal.ToWire()} --> [*]\n");
        }

        builder.Append("```\n\n## Line\n\n```mermaid\nstateDiagram-v2\n");
        builder.Append("    [*] --> pending\n");
        foreach (var row in Transitions.Line)
        {
            builder.Append($"    {row.From.ToWire()} --> {row.To.ToWire()}: {StatusNames.Snake(row.Trigger.ToString())}\n");
        }

        builder.Append("```\n");
        return builder.ToString();
    }
}
