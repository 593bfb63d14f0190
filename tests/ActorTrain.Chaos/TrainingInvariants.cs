using ActorTrain.Data.Sampling;
using ActorTrain.Model;
using ActorTrain.Protocol.Training;

namespace ActorTrain.Chaos;

/// <summary>
/// What must hold of a training run's journal after any fault: committed steps numbered 0..n-1, each
/// taking the next <c>globalBatch</c> samples (none lost, none twice), every replica of a step having
/// computed on the same parameters and trained on the very samples the run's order gives its position
/// (the replicas' own digests of them, rebuilt here from the spec and the dataset), and every recorded
/// checkpoint intact on disk. The sample ranges alone prove little: the run computes them itself.
/// </summary>
public static class TrainingInvariants
{
    /// <param name="damaged">Checkpoints the scenario itself damaged on disk: not held against the run.</param>
    /// <param name="sampler">The run's sample order (<see cref="ActorTrain.Cluster.Training.ReplicaSetup.SamplerFor(TrainingSpec)"/>).</param>
    public static IReadOnlyList<string> Violations(TrainingRunState state, int globalBatch, GlobalBatchSampler sampler, IReadOnlySet<string>? damaged = null)
    {
        var violations = new List<string>();
        var (lost, duplicated) = SampleAccounting(state);
        if (lost > 0) violations.Add($"{lost} samples lost");
        if (duplicated > 0) violations.Add($"{duplicated} samples consumed twice");
        if (state.StepsBefore > 0) violations.Add($"the answer left out the first {state.StepsBefore} steps (longer than one answer carries): they are not checked");
        for (int i = 0; i < state.Steps.Count; i++)
        {
            var step = state.Steps[i];
            if (step.Step != state.StepsBefore + i) violations.Add($"committed step {state.StepsBefore + i} is numbered {step.Step}");
            if (step.ConsumedTo - step.ConsumedFrom != globalBatch) violations.Add($"step {step.Step} took {step.ConsumedTo - step.ConsumedFrom} samples, not {globalBatch}");
            if (step.ParameterDigests.Distinct().Count() > 1) violations.Add($"step {step.Step}: replicas [{string.Join(", ", step.Ranks)}] computed on different parameters");
            if (step.ParameterDigests.Length != step.Ranks.Length) violations.Add($"step {step.Step}: {step.ParameterDigests.Length} digests for {step.Ranks.Length} replicas");
            violations.AddRange(SampleViolations(step, sampler));
        }
        foreach (var checkpoint in state.Checkpoints.Where(c => damaged?.Contains(c.Path) != true))
        {
            try
            {
                string metadata = Path.Combine(checkpoint.Path, "metadata.json");
                if (Checkpoint.Sha256Of(metadata) != checkpoint.Sha256) violations.Add($"checkpoint {checkpoint.Path}: metadata differs from the journal's checksum");
                Checkpoint.Read(checkpoint.Path).Dispose(); // every file against the metadata's sha256
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                violations.Add($"checkpoint {checkpoint.Path}: {e.Message}");
            }
        }
        return violations;
    }

    // Each replica's digest of what it trained on against the samples its position in the round is given by the order.
    private static IEnumerable<string> SampleViolations(CommittedStep step, GlobalBatchSampler sampler)
    {
        int digests = step.SampleDigests.IsDefault ? 0 : step.SampleDigests.Length;
        if (digests != step.Ranks.Length)
        {
            yield return $"step {step.Step}: {digests} sample digests for {step.Ranks.Length} replicas";
            yield break;
        }
        for (int position = 0; position < step.Ranks.Length; position++)
        {
            string expected = SampleDigest.Of(sampler.VisitsFor(step.ConsumedFrom, position, step.Ranks.Length), sampler.Order);
            if (step.SampleDigests[position] != expected)
                yield return $"step {step.Step}: rank {step.Ranks[position]} trained on other samples than position {position} of [{step.ConsumedFrom}, {step.ConsumedTo}) is given";
        }
    }

    /// <summary>Samples skipped between consecutive steps, and samples two steps both took.</summary>
    public static (long Lost, long Duplicated) SampleAccounting(TrainingRunState state)
    {
        long lost = 0, duplicated = 0, expected = state.StepsBefore == 0 || state.Steps.Count == 0 ? 0 : state.Steps[0].ConsumedFrom;
        foreach (var step in state.Steps)
        {
            if (step.ConsumedFrom > expected) lost += step.ConsumedFrom - expected;
            if (step.ConsumedFrom < expected) duplicated += expected - step.ConsumedFrom;
            expected = step.ConsumedTo;
        }
        return (lost, duplicated);
    }
}
