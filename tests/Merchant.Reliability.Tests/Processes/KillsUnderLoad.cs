namespace Merchant.Reliability.Tests.Processes;

/// <summary>
/// The tests that SIGKILL API processes under load run alone, after the parallel collections. They judge liveness as
/// well as safety (some trades must complete between the kills), and their kills are timed by the load's progress: beside
/// three other collections on two cores (the contract fuzz among them), a restart took 14–16 s instead of 3–4, the
/// first kill found 10 checkouts done instead of 25, and the soak completed no trade at all (0 of 10; 90–118 alone or
/// in a quiet moment). Alone they cost the run about a minute more.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KillsUnderLoad
{
    public const string Name = "kills under load";
}
