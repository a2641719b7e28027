using Merchant.Domain;

namespace Merchant.Domain.Tests;

public class TradeStatesDocumentTests
{
    private const string DocumentPath = "docs/trade-states.md";

    [Fact]
    public void The_state_diagram_document_matches_the_transition_table()
    {
        var path = Path.Combine(RepositoryRoot(), DocumentPath);
        var expected = TransitionDiagram.RenderMarkdown();

        var actual = File.Exists(path) ? File.ReadAllText(path) : null;

        if (actual != expected && RegenerateDocs)
        {
            File.WriteAllText(path, expected);
            return;
        }

        actual.ShouldBe(expected, $"{DocumentPath} is out of date with Transitions; run the domain tests with REGENERATE_DOCS=1 to regenerate it, and review the diff.");
    }

    // Its own flag, not the screenshots' UPDATE_SNAPSHOTS: a checked document is only rewritten when asked for by name,
    // and never under CI, where the comparison must always run.
    private static bool RegenerateDocs =>
        Environment.GetEnvironmentVariable("REGENERATE_DOCS") == "1" && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Merchant.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Merchant.sln above {AppContext.BaseDirectory}.");
    }
}
