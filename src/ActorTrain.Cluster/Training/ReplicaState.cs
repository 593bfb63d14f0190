using ActorTrain.DataPlane;
using ActorTrain.Model;

namespace ActorTrain.Cluster.Training;

/// <summary>A replica's parameters and AdamW moments (parameters, then first moments, then second moments, each
/// in parameter order) sent around a ring from a healthy peer to the replicas that join, a chunk at a time.</summary>
public static class ReplicaState
{
    public static FlatChunks Of(ReplicaTrainer trainer, int chunkLength = FlatChunks.DefaultChunkLength)
    {
        var named = trainer.Model.named_parameters().ToArray();
        var moments = trainer.Optimizer.Moments;
        return new FlatChunks(named.Select(p => (TorchSharp.torch.Tensor)p.parameter)
            .Concat(named.Select(p => moments[p.name].Mean))
            .Concat(named.Select(p => moments[p.name].Variance)), chunkLength);
    }

    /// <summary>Every member but <paramref name="source"/> ends with the source's state and its step count,
    /// <paramref name="step"/>. A member changes nothing until it holds the whole state: a ring that fails midway
    /// leaves it as it was, still fit to train from its own step.</summary>
    public static async Task BroadcastAsync(ReplicaTrainer trainer, RingAllReduce ring, int source, long step, CancellationToken cancellationToken,
        int chunkLength = FlatChunks.DefaultChunkLength)
    {
        var flat = Of(trainer, chunkLength);
        if (ring.Rank == source)
        {
            float[] buffer = [];
            for (int chunk = 0; chunk < flat.Count; chunk++)
            {
                if (buffer.Length != flat.LengthOf(chunk)) buffer = new float[flat.LengthOf(chunk)];
                flat.Read(chunk, buffer);
                await ring.BroadcastAsync(buffer, source, cancellationToken);
            }
            return;
        }
        var received = new float[flat.Count][];
        for (int chunk = 0; chunk < flat.Count; chunk++)
        {
            received[chunk] = new float[flat.LengthOf(chunk)];
            await ring.BroadcastAsync(received[chunk], source, cancellationToken);
        }
        for (int chunk = 0; chunk < flat.Count; chunk++) flat.Write(chunk, received[chunk]);
        trainer.Optimizer.ResumeAt(step);
    }
}
