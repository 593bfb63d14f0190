using ActorTrain.Data.Tokens;
using ActorTrain.Protocol.Training;
using System.Collections.Immutable;
using ActorTrain.Cluster.Configuration;
using ActorTrain.Cluster.Serialization;
using ActorTrain.Data.Cleaning;
using ActorTrain.Protocol;
using ActorTrain.Data.Dedup;
using ActorTrain.Data.Documents;
using ActorTrain.Data.Ingest;
using ActorTrain.Protocol.Cleaning;
using ActorTrain.Protocol.Dedup;
using ActorTrain.Protocol.Ingest;
using Akka.Actor;
using Akka.Serialization;
using SerializationException = System.Runtime.Serialization.SerializationException;
using Xunit;

namespace ActorTrain.Cluster.Tests;

/// <summary>Every protocol type goes through Akka's serialization (so the HOCON binding is checked too)
/// and comes back equal. A new type without a sample here fails the coverage test.</summary>
public sealed class ProtocolSerializationTests : IDisposable
{
    private static readonly CleaningCounts Counts = new(10, 7, 1000, 700, ImmutableSortedDictionary<string, long>.Empty.Add("c4", 2).Add("pii", 1));
    private static readonly TrainingSpec Spec = new("/data/job", "/runs/r", "tiny", "causal", 100, 16, 8, 3e-3, 7, 2, 50, ActorTrain.Data.Sampling.StreamDerivation.MixedKeys);
    private static readonly ShardFileList Listed = new("/out/job/shard-0002/planned-files.jsonl", 2, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    private static readonly TokenizedShard Tokens = new("/out/web/shard-0001/train.tokens", 1000, 9, 4000, "/out/web/shard-0001/validation.tokens", 90, 1, 380);

    public static readonly IReadOnlyList<IActorTrainMessage> Samples =
    [
        new DataShardEvents.Planned([], "/out/job/shard-0002", Listed),
        new DataShardEvents.Planned(["/corpus/a.txt", "/corpus/b.jsonl.zst"], "/out/job"), // journaled before file lists
        new DataShardEvents.ChunkWritten(3, "/out/job/shard-1/chunk-3.jsonl.zst", 1, 42, 2, Counts),
        DataShardEvents.Collected.Instance,
        new DataShardEvents.Finalized("/out/job/shard-1.jsonl.zst", "ab12", Counts),
        new DataShardEvents.Tokenized(Tokens),
        new DataShardCommands.Tokenize(new DataShardId("web", 2), "bpe:8192", 0.01),
        new IngestJobEvents.TokenizerReady("/out/web/tokenizer.json", "cd34"),
        new IngestJobEvents.ShardTokenized(1, Tokens),
        new CleanerCommands.Clean(new CleanerId("web", 1), [Document.Of("/a#0", "text", "/a") with { Metadata = ImmutableDictionary<string, string>.Empty.Add("url", "http://x/") }]),
        new CleanerReplies.Cleaned([
            new CleaningResult(Document.Of("/a#0", "text", "/a"), new DedupKeys(7, [1, 2, 3]), null, null),
            new CleaningResult(null, null, "c4", "2 sentences left < 3"),
        ]),
        new DataShardCommands.Collect(new DataShardId("web", 2), Listed, "/out/job/shard-0002"),
        new DataShardCommands.Collect(new DataShardId("web", 2), Listed, "/out/job/shard-0002", new ActorTrain.Protocol.Dedup.DedupLayout(16, new MinHashSettings())),
        new DataShardCommands.GetState(new DataShardId("web", 2)),
        new DataShardCommands.Finalize(new DataShardId("web", 2)),
        new DedupIndexCommands.Claim(new DedupIndexId("web", 3), ClaimBatch.Of([new ClaimedKey(DedupKind.Near, ulong.MaxValue, "/b#1"), new ClaimedKey(DedupKind.Exact, 42, "/a#0")])),
        new DedupIndexCommands.GetOwners(new DedupIndexId("web", 3), [new DedupKey(DedupKind.Near, 7), new DedupKey(DedupKind.Exact, ulong.MaxValue)]),
        new DedupIndexReplies.Claimed(2),
        new DedupIndexReplies.Owners(["/a#0", null]),
        new DedupIndexEvents.KeysClaimed([new ClaimedKey(DedupKind.Exact, 42, "/a#0")]),
        new DedupIndexEvents.ClaimsRecorded(ClaimBatch.Of([new ClaimedKey(DedupKind.Near, 7, "/x#y/b.txt#12"), new ClaimedKey(DedupKind.Near, 8, "/x#y/b.txt#3")])),
        new DedupIndexState(DuplicateClaims.Empty.Claim(42, "/a#0"), DuplicateClaims.Empty.Claim(9, "/b#0")),
        new DedupIndexSnapshot(new DuplicateClaimColumns(["/a", "/x#y/b.txt"], [42, 9, 8], [0, 1, 1], [0, 12, 3]), DuplicateClaimColumns.Empty),
        new IngestJobCommands.Start("web", ["/corpus", "/more/a.txt"], ["**/*.md"], [".git/**"], 4, "/out/web", "gpt2", 0.05),
        new IngestJobCommands.GetStatus("web"),
        new IngestJobEvents.Submitted(new IngestJobCommands.Start("web", ["/corpus"], [], [], 4, "/out/web", "bpe:512"), new DateTimeOffset(2026, 11, 30, 8, 59, 0, TimeSpan.Zero)),
        new IngestJobEvents.Submitted(new IngestJobCommands.Start("web", [], [], [], 4, "/out/web"), new DateTimeOffset(2026, 11, 30, 8, 59, 0, TimeSpan.Zero), 300,
            Listed with { Path = "/out/web/submitted-sources.jsonl", Count = 300 }),
        new IngestJobEvents.PlanFailed("ingest job web: cannot write its plan under /out/web: Not a directory"),
        new IngestJobEvents.Planned([], "/out/web", new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero), "gpt2", 0.05, [Listed, Listed with { Count = 0 }]),
        new IngestJobEvents.Planned([], "/out/web", new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero), "gpt2", 0.05, [Listed],
            new ActorTrain.Protocol.Dedup.DedupLayout(16, new MinHashSettings())),
        new IngestJobEvents.Planned([["/a", "/b"], ["/c"]], "/out/web", new DateTimeOffset(2026, 11, 28, 23, 0, 0, TimeSpan.Zero)), // before file lists
        new IngestJobEvents.ShardCollected(1, 2, Counts),
        new IngestJobEvents.ShardFinalized(1, "/out/web/shard-0001/documents.jsonl.zst", "ab", Counts),
        new IngestJobEvents.Completed(new DateTimeOffset(2026, 11, 28, 23, 5, 0, TimeSpan.Zero)),
        IngestJobState.Initial.Apply(new IngestJobEvents.Planned([["/a"], ["/b"]], "/out/web", DateTimeOffset.UnixEpoch)).Apply(new IngestJobEvents.ShardCollected(0, 1, Counts)),
        DataShardState.Initial with { Stage = DataShardStage.Collecting, FileList = Listed, Chunks = ["/c0"], Counts = Counts },
        DataShardState.Initial with { Stage = DataShardStage.Collecting, Files = ["/x"], Chunks = ["/c0"], Counts = Counts },
        DataShardState.Initial with { Stage = DataShardStage.Tokenized, Tokens = Tokens },
        (DataShardState.Initial with { Stage = DataShardStage.Finalized, Files = ["/x", "/y"], NextFile = 2, Chunks = ["/c0"], Counts = Counts, Output = "/o", OutputSha256 = "cd" }).Report,
        new TrainingRunCommands.Start("run", Spec),
        new TrainingRunCommands.GetStatus("run"),
        new TrainingRunCommands.Pause("run"),
        new TrainingRunCommands.Resume("run"),
        new TrainingRunCommands.Stop("run"),
        new TrainingRunCommands.CheckpointNow("run"),
        new TrainingRunEvents.Paused(DateTimeOffset.UnixEpoch),
        new TrainingRunEvents.Resumed(DateTimeOffset.UnixEpoch),
        new TrainingRunEvents.Stopped(DateTimeOffset.UnixEpoch),
        new TrainingRunEvents.Started(Spec, new DateTimeOffset(2026, 11, 29, 1, 0, 0, TimeSpan.Zero)),
        new TrainingRunEvents.StepCommitted(3, 48, 64, [0, 2], 77, 2.5, 1.25, ["0f1e", "0f1e"]),
        new TrainingRunEvents.Completed(new DateTimeOffset(2026, 11, 29, 2, 0, 0, TimeSpan.Zero)),
        TrainingRunState.Initial.Apply(new TrainingRunEvents.Started(Spec, DateTimeOffset.UnixEpoch)).Apply(new TrainingRunEvents.StepCommitted(0, 0, 16, [0, 1], 1, 4.2, 0.5, ["aa", "aa"])),
        new TrainingRunEvents.ReplayDiverged(1, "replayed", "journaled"),
        TrainingRunState.Initial.Apply(new TrainingRunEvents.Started(Spec, DateTimeOffset.UnixEpoch)).Apply(new TrainingRunEvents.StepCommitted(0, 0, 16, [0, 1], 1, 4.2, 0.5, ["aa", "aa"]))
            .Apply(new TrainingRunEvents.ReplayDiverged(0, "bb", "aa")),
        new TrainerCommands.Prepare(new TrainerId("run", 1), Spec, "/runs/r/checkpoints/step-0000050"),
        new TrainerCommands.ReplayStep(new TrainerId("run", 1), 3, 48, 77, 1, ["127.0.0.1:4001", "127.0.0.1:4002"], ["akka.tcp://actortrain@10.0.0.1:4053", "akka.tcp://actortrain@10.0.0.2:4053"]),
        new TrainerCommands.WriteCheckpoint(new TrainerId("run", 0), 50, 800),
        new TrainerReplies.CheckpointWritten(0, 50, "/runs/r/checkpoints/step-0000050", "ef01"),
        new TrainingRunEvents.CheckpointRecorded(50, "/runs/r/checkpoints/step-0000050", "ef01"),
        new TrainerCommands.ComputeStep(new TrainerId("run", 1), 3, 48, 77, 1, ["127.0.0.1:4001", "127.0.0.1:4002"], ["akka.tcp://actortrain@10.0.0.1:4053", "akka.tcp://actortrain@10.0.0.2:4053"]),
        new TrainerCommands.FinishStep(new TrainerId("run", 1), 3, true),
        new TrainerCommands.GetParameterDigest(new TrainerId("run", 0)),
        new TrainerCommands.Release(new TrainerId("run", 1)),
        new TrainerReplies.Ready(1, "127.0.0.1:4002", 3, "cpu:0", Continuing: true, Node: "akka.tcp://actortrain@10.0.0.2:4053"),
        new TrainerReplies.Reduced(1, 3, 40.5, 16, "0f1e", 0.25, 0.05),
        new TrainerReplies.Failed(1, 3, "peer closed"),
        new TrainerReplies.Finished(1, 3),
        new TrainerReplies.Synchronized(2, 3),
        new TrainerCommands.Synchronize(new TrainerId("run", 2), 3, 78, 2, ["127.0.0.1:4001", "127.0.0.1:4002", "127.0.0.1:4003"], 0),
        new TrainerReplies.ParameterDigest(0, 3, "abcd"),
    ];

    private readonly ActorSystem system = ActorSystem.Create("serialization", EmbeddedHocon.Load(EmbeddedHocon.Base));

    public void Dispose() => system.Dispose();

    public static TheoryData<int> SampleIndexes => new(Enumerable.Range(0, Samples.Count));

    [Theory]
    [MemberData(nameof(SampleIndexes))]
    public void Round_trips_through_akka_serialization(int index)
    {
        var sample = Samples[index];
        var serializer = system.Serialization.FindSerializerFor(sample);
        Assert.IsType<ActorTrainSerializer>(serializer);
        byte[] bytes = serializer.ToBinary(sample);
        var back = system.Serialization.Deserialize(bytes, serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, sample));
        Assert.Equal(Normalise(sample), Normalise(back));
    }

    [Fact]
    public void Every_protocol_type_has_a_sample() =>
        Assert.Empty(ActorTrainSerializer.ProtocolTypes.Except(Samples.Select(s => s.GetType())).Select(t => t.FullName));

    [Fact]
    public void An_unknown_manifest_is_refused_by_name()
    {
        var serializer = (ActorTrainSerializer)system.Serialization.FindSerializerForType(typeof(DataShardState));
        Assert.Contains("'System.IO.FileInfo'", Assert.Throws<SerializationException>(() => serializer.FromBinary("{}"u8.ToArray(), "System.IO.FileInfo")).Message);
    }

    [Fact]
    public void A_plan_journaled_before_file_lists_still_counts_its_inline_files()
    {
        // As an older build wrote it: no FileLists, the files inline.
        byte[] journaled = """{"ShardFiles":[["/a","/b"],["/c"]],"OutputDirectory":"/out/web","StartedAt":"2026-11-28T23:00:00+00:00","Tokenizer":null,"ValidationFraction":0.01}"""u8.ToArray();
        var planned = (IngestJobEvents.Planned)system.Serialization.Deserialize(journaled, ActorTrainSerializer.Id, "Ingest.IngestJobEvents+Planned");
        Assert.Equal([2, 1], IngestJobState.Initial.Apply(planned).ShardFileCounts.ToArray());
    }

    [Fact]
    public void A_run_journaled_before_stream_derivations_keeps_the_first_one()
    {
        // As an older build wrote it: no StreamDerivation. The run must go on with the sample order it had.
        byte[] journaled = """{"Spec":{"Dataset":"/d","RunDirectory":"/r","Preset":"tiny","Objective":"causal","Steps":10,"GlobalBatch":4,"MicroBatch":2,"LearningRate":0.003,"Seed":9,"Replicas":2,"CheckpointEvery":5},"At":"2026-11-28T23:00:00+00:00"}"""u8.ToArray();
        var started = (TrainingRunEvents.Started)system.Serialization.Deserialize(journaled, ActorTrainSerializer.Id, "Training.TrainingRunEvents+Started");
        Assert.Equal(ActorTrain.Data.Sampling.StreamDerivation.XoredKeys, started.Spec.StreamDerivation);
        Assert.Equal(9UL, started.Spec.Seed);
    }

    [Fact]
    public void A_diverged_steps_loss_travels_and_is_journaled_as_it_is()
    {
        var diverged = new TrainingRunEvents.StepCommitted(3, 48, 64, [0, 2], 77, double.NaN, double.PositiveInfinity, ["0f1e", "0f1e"]);
        var serializer = system.Serialization.FindSerializerFor(diverged);
        var back = (TrainingRunEvents.StepCommitted)system.Serialization.Deserialize(serializer.ToBinary(diverged), serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, diverged));
        Assert.True(double.IsNaN(back.Loss));
        Assert.True(double.IsPositiveInfinity(back.Seconds));
    }

    // Records holding immutable collections compare them by reference: compare their JSON instead.
    private static string Normalise(object message) => System.Text.Json.JsonSerializer.Serialize(message, message.GetType());
}
