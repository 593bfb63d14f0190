using System.Text;
using ActorTrain.Cluster;
using ActorTrain.Cmd.Palettes;
using ActorTrain.Node.Commands;
using ActorTrain.Protocol.Ingest;
using Akka.Actor;
using ActorTrain.Cluster.Ingest;
using ActorTrain.Cluster.Persistence;

namespace ActorTrain.Node.Cmd;

/// <summary>`data`: ingest jobs — list, status, start one, and look at what their filters quarantined.</summary>
public sealed class DataPalette(ActorSystem system, IActorRef jobs, string dataDirectory, int defaultShards) : PaletteHandler
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly ArgumentDefinition Job = new("job", "j", "The job's name.", Mandatory: true);

    public override PaletteDefinition Definition { get; } = new("data", "Ingest jobs.",
    [
        new("jobs", "Every ingest job: status, documents kept of read, output directory.", []),
        new("status", "One job: status, shards, documents and bytes kept, drops per stage, tokens.", [Job]),
        new("ingest", "Start a job (collect, clean, deduplicate, and tokenize with --tokenizer); a finished one is not redone.",
        [
            Job,
            new("source", "s", "A file or directory to read (every data node must see it).", Mandatory: true, Repeatable: true),
            new("tokenizer", "t", "gpt2, cl100k_base, bpe:SIZE or a tokenizer.json; none leaves the text untokenized."),
            new("shards", null, "Data shards (parallel pieces)."),
            new("output", "o", "Output directory. Default: <data-dir>/jobs/JOB of this node."),
        ]),
        new("quarantine", "Documents dropped, with the stage and reason (the newest files first).", [Job, new("count", "n", "How many.", Default: "20")]),
    ]);

    public override async Task ExecuteAsync(ParsedCommand command, ICommandOutput output, CancellationToken cancellationToken)
    {
        switch (command.Command.Name)
        {
            case "jobs":
                // From the journal: a completed job's entity is passivated, and no region knows it any more.
                var names = await JournaledNames.ListAsync(system, IngestJobActor.PersistencePrefix, cancellationToken);
                var states = await Task.WhenAll(names.Select(name => jobs.AskRepeatedlyAsync<IngestJobState>(new IngestJobCommands.GetStatus(name), Patience, cancellationToken)));
                var known = names.Zip(states, (First, Second) => (First, Second)).Where(p => p.Second.Status != IngestJobStatus.New).ToArray();
                await output.WriteAsync(command.Json ? PaletteJson.Serialize(known.Select(p => Summary(p.First, p.Second)))
                    : known.Length == 0 ? "no ingest job" : string.Join("\n", known.Select(p => Line(p.First, p.Second))));
                return;
            case "status":
                string job = command.Required("job");
                var state = await Existing(job, cancellationToken);
                await output.WriteAsync(command.Json ? PaletteJson.Serialize(Summary(job, state)) : Details(job, state));
                return;
            case "ingest":
                await StartAsync(command, output, cancellationToken);
                return;
            default:
                await QuarantineAsync(command, output, cancellationToken);
                return;
        }
    }

    private async Task StartAsync(ParsedCommand command, ICommandOutput output, CancellationToken cancellationToken)
    {
        string job = command.Required("job");
        var sources = command.All("source").Select(Path.GetFullPath).ToArray();
        // Mistakes in the command line, exit 2 as the CLI's own: a missing source, a tokenizer it cannot use.
        if (sources.FirstOrDefault(s => !File.Exists(s) && !Directory.Exists(s)) is { } missing) throw new CommandLineException($"--source {missing}: no such file or directory");
        if (DirectoryNames.ProblemWith("-j/--job", job) is { } badName) throw new CommandLineException(badName);
        int shards = command.Integer("shards", defaultShards);
        if (IngestPlan.ShardsProblem(shards) is { } badShards) throw new CommandLineException(badShards);
        string directory = Path.GetFullPath(command.Value("output") ?? Path.Combine(dataDirectory, "jobs", job));
        string? tokenizer = command.Value("tokenizer");
        if (IngestJobActor.TokenizerProblem(tokenizer) is { } badTokenizer) throw new CommandLineException($"-t/--tokenizer: {badTokenizer}");
        var start = new IngestJobCommands.Start(job, [.. sources], [], [], shards, directory, tokenizer is not null && File.Exists(tokenizer) ? Path.GetFullPath(tokenizer) : tokenizer, 0.01);
        var state = await jobs.AskRepeatedlyAsync<IngestJobState>(start, Patience, cancellationToken);
        if (state.Request is { } journaled && IngestRequestDifferences.Between(journaled, start) is { Count: > 0 } differences)
            throw new CommandLineException(IngestRequestDifferences.Refusal(job, differences));
        await output.WriteAsync(command.Json ? PaletteJson.Serialize(Summary(job, state)) : Line(job, state));
    }

    private async Task QuarantineAsync(ParsedCommand command, ICommandOutput output, CancellationToken cancellationToken)
    {
        string job = command.Required("job");
        int count = command.Integer("count", 20);
        if (count < 1) throw new CommandLineException("--count must be at least 1");
        var state = await Existing(job, cancellationToken);
        if (!Directory.Exists(state.OutputDirectory)) throw new CommandFailedException($"{state.OutputDirectory} is not on this node's disk");
        var files = Directory.EnumerateFiles(state.OutputDirectory, "quarantine*.jsonl.zst", SearchOption.AllDirectories)
            .OrderByDescending(File.GetLastWriteTimeUtc).ToArray();
        var lines = new List<string>();
        foreach (string file in files)
        {
            if (lines.Count >= count) break;
            using var reader = new StreamReader(new ZstdSharp.DecompressionStream(File.OpenRead(file)), Encoding.UTF8);
            while (lines.Count < count && await reader.ReadLineAsync(cancellationToken) is { } line) lines.Add(line);
        }
        await output.WriteAsync(lines.Count == 0 ? (command.Json ? "[]" : "nothing quarantined") : command.Json ? $"[{string.Join(",", lines)}]" : string.Join("\n", lines));
    }

    private async Task<IngestJobState> Existing(string job, CancellationToken cancellationToken)
    {
        var state = await jobs.AskRepeatedlyAsync<IngestJobState>(new IngestJobCommands.GetStatus(job), Patience, cancellationToken);
        if (state.Status == IngestJobStatus.New) throw new CommandFailedException($"no ingest job '{job}'");
        return state;
    }

    private static object Summary(string job, IngestJobState state) => new
    {
        job, status = state.Status.ToString().ToLowerInvariant(), problem = state.Problem, shards = state.Shards.Length, documentsIn = state.Totals.DocumentsIn,
        documentsKept = state.Totals.DocumentsKept, bytesIn = state.Totals.BytesIn, bytesOut = state.Totals.BytesOut, badRecords = state.BadRecords,
        droppedByStage = state.Totals.DroppedByStage, tokenizer = state.Tokenizer, output = state.OutputDirectory,
    };

    private static string Line(string job, IngestJobState state) =>
        $"{job} | {state.Status.ToString().ToLowerInvariant()} | {state.Totals.DocumentsKept} of {state.Totals.DocumentsIn} documents kept | {state.OutputDirectory}";

    private static string Details(string job, IngestJobState state)
    {
        var totals = state.Totals;
        var text = new StringBuilder(Line(job, state)).AppendLine()
            .AppendLine($"shards: {state.Shards.Length} ({string.Join(", ", state.Shards.Select(s => s.Stage.ToString().ToLowerInvariant()))})")
            .AppendLine($"text kept: {totals.BytesOut / 1e6:0.0} of {totals.BytesIn / 1e6:0.0} MB; bad records: {state.BadRecords}");
        foreach (var (stage, dropped) in totals.DroppedByStage.OrderByDescending(p => p.Value)) text.AppendLine($"dropped by {stage}: {dropped}");
        if (state.Tokenizer is not null) text.AppendLine($"tokenizer: {state.Tokenizer}");
        if (state.Problem is not null) text.Append($"cannot go on: {state.Problem}");
        return text.ToString().TrimEnd();
    }
}
