using System.Reflection;

namespace ActorTrain.Testing;

/// <summary>Where the checkout these tests were built from lies.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = typeof(RepositoryPaths).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;
}
