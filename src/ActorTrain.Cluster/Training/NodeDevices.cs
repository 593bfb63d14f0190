using System.Collections.Immutable;

namespace ActorTrain.Cluster.Training;

/// <summary>
/// The devices a trainer node offers replicas: "cpu:N" is N CPU slots (cpu:0 .. cpu:N-1, each with
/// the node's cores divided among them as its thread budget), "cuda:I" is GPU I. A node advertises
/// them to the cluster as roles "device:cpu:0", "device:cuda:1": membership gossip carries them to
/// the shard coordinator, which places at most one replica per device, and `cluster show` lists them.
/// </summary>
public sealed record NodeDevices(ImmutableArray<string> Names)
{
    public const string RolePrefix = "device:";

    /// <summary>What a trainer node that names no device offers: one CPU slot.</summary>
    public static readonly NodeDevices OneCpu = new(["cpu:0"]);

    public IEnumerable<string> Roles => Names.Select(name => RolePrefix + name);

    public int CpuSlots => Names.Count(name => name.StartsWith("cpu:", StringComparison.Ordinal));

    /// <summary>Why this build cannot offer these devices; null when it can. Replicas train on CPU slots only: the
    /// trainer does not place its model on a GPU (and TorchSharp's CUDA packages are not served to this project), so a
    /// GPU is refused rather than advertised, leased and trained on the CPU.</summary>
    public string? NotOfferedHere => Names.FirstOrDefault(name => name.StartsWith("cuda:", StringComparison.Ordinal)) is { } gpu
        ? $"{gpu}: this build trains on CPU slots only (cpu:N); GPU replicas are not built"
        : null;

    /// <summary>Torch threads for one replica on a CPU slot of a machine with <paramref name="cores"/> cores.</summary>
    public int ThreadsPerCpuSlot(int cores) => Math.Max(1, cores / Math.Max(1, CpuSlots));

    /// <exception cref="FormatException">Not a comma-separated list of "cpu:N" (N ≥ 1, once) and "cuda:I" (distinct I ≥ 0).</exception>
    public static NodeDevices Parse(string text)
    {
        var names = ImmutableArray.CreateBuilder<string>();
        bool cpuSeen = false;
        foreach (string item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            string[] parts = item.Split(':');
            if (parts.Length != 2 || !int.TryParse(parts[1], out int number))
                throw new FormatException($"devices '{text}': '{item}' is not KIND:NUMBER (cpu:2, cuda:0)");
            switch (parts[0])
            {
                case "cpu" when cpuSeen:
                    throw new FormatException($"devices '{text}': cpu is given twice (cpu:N already means N CPU slots)");
                case "cpu" when number < 1:
                    throw new FormatException($"devices '{text}': cpu:{number} offers no slot (cpu:N needs N >= 1)");
                case "cpu":
                    cpuSeen = true;
                    names.AddRange(Enumerable.Range(0, number).Select(slot => $"cpu:{slot}"));
                    break;
                case "cuda" when number < 0 || names.Contains($"cuda:{number}"):
                    throw new FormatException($"devices '{text}': cuda:{number} is negative or given twice");
                case "cuda":
                    names.Add($"cuda:{number}");
                    break;
                default:
                    throw new FormatException($"devices '{text}': unknown device kind '{parts[0]}' (cpu or cuda)");
            }
        }
        return new NodeDevices(names.ToImmutable());
    }

    /// <summary>The devices a member advertises in its roles; a trainer that advertises none has one CPU slot, any other member none.</summary>
    public static NodeDevices FromRoles(IEnumerable<string> roles)
    {
        var all = roles.ToArray();
        ImmutableArray<string> names = [.. all.Where(r => r.StartsWith(RolePrefix, StringComparison.Ordinal)).Select(r => r[RolePrefix.Length..]).Order(StringComparer.Ordinal)];
        if (names.Length > 0) return new NodeDevices(names);
        return all.Contains("trainer") ? OneCpu : new NodeDevices([]);
    }

    public override string ToString() => string.Join(",", Names);

    // By the devices named (an ImmutableArray compares by reference).
    public bool Equals(NodeDevices? other) => other is not null && Names.SequenceEqual(other.Names);

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}
