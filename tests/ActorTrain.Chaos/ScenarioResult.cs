namespace ActorTrain.Chaos;

/// <summary>What one chaos scenario did to the cluster and what the cluster made of it.</summary>
/// <param name="Recovered">Training (or ingestion) went on to its goal after the last fault.</param>
/// <param name="SecondsToRecover">The longest time from a fault to the next step committed after it.</param>
/// <param name="StepsRedone">Step attempts that failed and were done again (no sample counted twice).</param>
/// <param name="ErrorsSurfaced">The distinct error lines the nodes logged about it.</param>
/// <param name="Violations">Invariants that did not hold: empty when all did.</param>
public sealed record ScenarioResult(string Scenario, int Seed, bool Recovered, double SecondsToRecover, long StepsRedone,
    long SamplesLost, long SamplesDuplicated, IReadOnlyList<string> ErrorsSurfaced, IReadOnlyList<string> Violations, double Seconds)
{
    public override string ToString() =>
        $"{Scenario} (seed {Seed}): recovered {(Recovered ? "yes" : "no")}, {SecondsToRecover:0.0} s to recover, {StepsRedone} steps redone, " +
        $"{SamplesLost} samples lost, {SamplesDuplicated} duplicated, {ErrorsSurfaced.Count} errors surfaced" +
        (Violations.Count == 0 ? "" : $"; VIOLATIONS: {string.Join("; ", Violations)}");
}
