using ActorTrain.Node.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ActorTrain.Node;

/// <summary>The `actortrain` command line: one sealed command class per verb.</summary>
public static class ActorTrainApp
{
    /// <summary>Exit code for a command line that could not be understood (unknown verb, bad option).</summary>
    public const int UsageError = 2;

    /// <param name="console">Where reports go (standard output).</param>
    /// <param name="errors">Where failures go, one unwrapped line each (standard error).</param>
    public static async Task<int> RunAsync(string[] args, IAnsiConsole console, TextWriter errors, CancellationToken cancellationToken = default)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.Settings.Registrar.RegisterInstance(new ErrorOutput(errors));
            config.SetApplicationName("actortrain");
            config.ConfigureConsole(console);
            config.UseStrictParsing();
            config.AddCommand<DemoCommand>("demo")
                .WithDescription("The whole path on one machine: ingest its own text, train a tokenizer and the tiny model, report (about 12 minutes).")
                .WithExample("demo", "--minutes", "5")
                .WithExample("demo", "--source", "/path/to/books");
            config.AddCommand<InfoCommand>("info")
                .WithDescription("Show versions, the native library and its CPU capabilities, torch threads, and check the journal with a real write and read.")
                .WithExample("info", "--json")
                .WithExample("info", "--db", "postgres:Host=127.0.0.1;Port=5432;Username=actortrain");
            config.AddCommand<NodeCommand>("node")
                .WithDescription("Run a cluster node until SIGTERM or Ctrl+C (then it leaves gracefully): data path, training runs and trainer replicas by role.")
                .WithExample("node", "--port", "4053", "--roles", "coordinator,data", "--db", "postgres:Host=db;Username=actortrain", "--config", "local")
                .WithExample("node", "--port", "4054", "--seed", "127.0.0.1:4053", "--roles", "trainer", "--devices", "cpu:2");
            config.AddCommand<LocalClusterCommand>("local-cluster")
                .WithDescription("Start N nodes on loopback sharing one journal (and a private PostgreSQL with --db postgres), forward their logs, stop them all gracefully on Ctrl+C or SIGTERM.")
                .WithExample("local-cluster", "--nodes", "3")
                .WithExample("local-cluster", "--nodes", "3", "--db", "postgres", "--devices-per-node", "cpu:2");
            config.AddCommand<IngestCommand>("ingest")
                .WithDescription("Collect, clean and deduplicate sources into JSONL.zst shards on a one-node cluster; re-run to resume after a crash.")
                .WithExample("ingest", "--source", "/usr/share/man", "--job", "man-pages")
                .WithExample("ingest", "--source", "/usr/share/doc", "--job", "docs", "--tokenizer", "bpe:8192");
            config.AddCommand<TrainCommand>("train")
                .WithDescription("Train a model on a tokenized dataset with one replica; re-run to resume from the newest good checkpoint.")
                .WithExample("train", "--dataset", "~/.local/share/actortrain/jobs/docs", "--run", "runs/first", "--steps", "500");
            config.AddCommand<SampleCommand>("sample")
                .WithDescription("Generate from a checkpoint: continue --prompt (causal models) or fill the [[MASK]]s of --fill (mlm models).")
                .WithExample("sample", "--checkpoint", "runs/first", "--prompt", "The kernel")
                .WithExample("sample", "--checkpoint", "runs/cloze", "--fill", "The [[MASK]] of the file");
            config.AddBranch("config", branch =>
            {
                branch.SetDescription("The configuration a node runs with.");
                branch.AddCommand<ConfigShowCommand>("show")
                    .WithDescription("Print the effective configuration (reference, profile, files, ACTORTRAIN__* variables), checked as a node checks it.")
                    .WithExample("config", "show", "--config", "local", "--config", "ops.conf");
            });
            config.AddBranch("dataset", dataset =>
            {
                dataset.SetDescription("Look at tokenized datasets.");
                dataset.AddCommand<DatasetInspectCommand>("inspect")
                    .WithDescription("Counts of every packed shard (checksums verified) and the first tokens decoded.")
                    .WithExample("dataset", "inspect", "~/.local/share/actortrain/jobs/docs");
            });
            config.SetExceptionHandler((exception, _) =>
            {
                // Command-line mistakes are the user's: one line saying what was wrong, no stack trace.
                string message = FailureMessage.Of(exception);
                errors.WriteLine($"actortrain: {OptionValueFailure.Describe(message, args) ?? message}");
                return exception is CommandAppException ? UsageError : 1;
            });
        });
        return await app.RunAsync(args, cancellationToken);
    }
}
