using System.Reflection;
using System.Runtime.InteropServices;
using ActorTrain.Cluster.Persistence;
using ActorTrain.Native;
using ActorTrain.Native.Interop;
using ActorTrain.Native.Torch;
using ActorTrain.Native.Versioning;
using Akka.Actor;

namespace ActorTrain.Node.Info;

/// <summary>Gathers <see cref="NodeInfo"/>; a piece that fails is reported, never thrown.</summary>
public static class NodeInfoCollector
{
    public static async Task<NodeInfo> CollectAsync(JournalTarget journal, TimeSpan journalTimeout, CancellationToken cancellationToken)
    {
        var check = await JournalCheck.RunAsync(journal, journalTimeout, cancellationToken);
        return new NodeInfo(
            new ActorTrainInfo(InformationalVersion.Of(typeof(NodeInfoCollector).Assembly)),
            new DotnetInfo(Environment.Version.ToString(), RuntimeInformation.FrameworkDescription, RuntimeInformation.RuntimeIdentifier),
            new AkkaInfo(InformationalVersion.Of(typeof(ActorSystem).Assembly)),
            Torch(),
            Native(),
            new JournalInfo(check.Backend, check.Target, check.Ok, Math.Round(check.Elapsed.TotalMilliseconds, 1), check.Error));
    }

    private static TorchInfo Torch()
    {
        try
        {
            return new TorchInfo(TorchRuntime.TorchSharpVersion, TorchRuntime.LibTorchVersion, TorchRuntime.Threads, null);
        }
        catch (Exception e)
        {
            return new TorchInfo(null, null, null, $"TorchSharp/libtorch failed to load: {Innermost(e).Message}");
        }
    }

    // Called after Torch(): with libtorch loaded first, the kernels find its OpenMP team.
    private static NativeInfo Native()
    {
        try
        {
            var features = Enum.GetValues<CpuFeatures>()
                .Where(f => f != CpuFeatures.None && ActorTrainNative.CpuFeatures.HasFlag(f))
                .Select(f => f.ToString().ToLowerInvariant())
                .ToArray();
            return new NativeInfo(ActorTrainNative.LibraryPath, ActorTrainNative.Version,
                ActorTrainNative.NameOf(ActorTrainNative.CpuIsa), ActorTrainNative.NameOf(ActorTrainNative.ActiveIsa),
                features, ActorTrainNative.CudaCompiled, ActorTrainNative.ParallelBackend, null);
        }
        catch (Exception e)
        {
            return new NativeInfo(null, null, null, null, [], null, null, $"native library failed to load: {Innermost(e).Message}");
        }
    }

    // Type initialisers and loaders wrap the message worth showing.
    private static Exception Innermost(Exception e) =>
        e is TypeInitializationException or TargetInvocationException && e.InnerException is not null ? Innermost(e.InnerException!) : e;
}
