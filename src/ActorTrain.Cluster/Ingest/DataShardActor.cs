using ActorTrain.Data.Ingest;
using ActorTrain.Protocol;
using ActorTrain.Protocol.Ingest;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace ActorTrain.Cluster.Ingest;

/// <summary>
/// A data shard: reads and cleans its files one chunk at a time. Each chunk is complete on disk
/// before its event is journaled; on recovery, chunk files the journal does not know (written just
/// before a crash) are deleted and collection continues at the journaled cursor, so every record is
/// handled exactly once whatever moment the process died.
/// </summary>
public sealed class DataShardActor : ReceivePersistentActor
{
    private const int SnapshotEvery = 50;
    private readonly ShardCollector collector;
    private readonly int chunkRecords;
    private DataShardState state = DataShardState.Initial;

    public DataShardActor(DataShardId id, ShardCollector collector, int chunkRecords)
    {
        PersistenceId = id.PersistenceId;
        this.collector = collector;
        this.chunkRecords = chunkRecords;

        Recover<SnapshotOffer>(offer => state = (DataShardState)offer.Snapshot);
        Recover<IActorTrainMessage>(@event => state = state.Apply(@event));
        Recover<RecoveryCompleted>(_ =>
        {
            if (state.Stage == DataShardStage.Collecting)
            {
                RemoveUnjournaledChunks();
                Self.Tell(Continue.Instance);
            }
        });

        Command<DataShardCommands.Collect>(collect =>
        {
            if (state.Stage != DataShardStage.New)
            {
                Sender.Tell(state);
                return;
            }
            var requester = Sender;
            Persist(new DataShardEvents.Planned(collect.Files, collect.OutputDirectory), planned =>
            {
                Directory.CreateDirectory(planned.OutputDirectory);
                state = state.Apply(planned);
                requester.Tell(state);
                Self.Tell(Continue.Instance);
            });
        });
        Command<DataShardCommands.GetState>(_ => Sender.Tell(state));
        Command<Continue>(_ => CollectNextChunk());
        Command<SaveSnapshotSuccess>(_ => { });
        Command<SaveSnapshotFailure>(failure => Context.GetLogger().Warning(failure.Cause, "snapshot of {0} failed", PersistenceId));
    }

    public override string PersistenceId { get; }

    public static Props Props(DataShardId id, ShardCollector collector, int chunkRecords) =>
        Akka.Actor.Props.Create(() => new DataShardActor(id, collector, chunkRecords));

    private void CollectNextChunk()
    {
        if (state.Stage != DataShardStage.Collecting) return;
        if (state.AllFilesRead)
        {
            Persist(DataShardEvents.Collected.Instance, collected => state = state.Apply(collected));
            return;
        }
        int chunk = state.Chunks.Length;
        var result = collector.Collect(state.Files, state.NextFile, state.NextRecord, chunk, state.OutputDirectory, chunkRecords);
        Persist(new DataShardEvents.ChunkWritten(chunk, result.Path, result.NextFile, result.NextRecord, result.BadRecords, result.Counts), written =>
        {
            state = state.Apply(written);
            if (state.Chunks.Length % SnapshotEvery == 0) SaveSnapshot(state);
            Self.Tell(Continue.Instance);
        });
    }

    // A crash between a chunk's rename and its journal entry leaves a chunk the journal does not
    // know; a crash mid-write leaves a .partial file. Both are written again from the cursor.
    private void RemoveUnjournaledChunks()
    {
        if (!Directory.Exists(state.OutputDirectory)) return;
        foreach (string file in Directory.EnumerateFiles(state.OutputDirectory, "*.partial")) File.Delete(file);
        for (int chunk = state.Chunks.Length; ; chunk++)
        {
            string documents = ShardCollector.ChunkPath(state.OutputDirectory, chunk);
            string quarantine = ShardCollector.QuarantinePath(state.OutputDirectory, chunk);
            if (!File.Exists(documents) && !File.Exists(quarantine)) break;
            File.Delete(documents);
            File.Delete(quarantine);
        }
    }

    /// <summary>Self-sent: collect the next chunk (one per message, so commands interleave).</summary>
    private sealed class Continue : INoSerializationVerificationNeeded
    {
        public static readonly Continue Instance = new();
    }
}
