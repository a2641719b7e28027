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

        if (actual != expected && Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1")
        {
            File.WriteAllText(path, expected);
            return;
        }

        actual.ShouldBe(expected, $"{DocumentPath} is out of date with Transitions; run the domain tests with UPDATE_SNAPSHOTS=1 to regenerate it.");
    }

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
