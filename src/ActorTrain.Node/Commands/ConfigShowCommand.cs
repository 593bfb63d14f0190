using System.ComponentModel;
using ActorTrain.Cluster.Configuration;
using ActorTrain.Cluster.Persistence;
using ActorTrain.Cluster.Training;
using ActorTrain.Cmd.Host;
using ActorTrain.Node.Configuration;
using Akka.Configuration;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ActorTrain.Node.Commands;

/// <summary>`actortrain config show`: the configuration a node would run with (reference, profile, files,
/// environment), checked the way a node checks it at start.</summary>
public sealed class ConfigShowCommand(IAnsiConsole console, ErrorOutput errors) : Command<ConfigShowCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--config <PROFILE_OR_FILE>")]
        [Description("As for `actortrain node`: local, production, kubernetes or a HOCON file; repeatable, the first wins. Default production.")]
        public string[] Config { get; init; } = [];

        [CommandOption("--data-dir <DIR>")]
        [Description("Node data directory (actortrain.node.data-dir).")]
        public string? DataDir { get; init; }

        public override ValidationResult Validate() =>
            OperatorConfiguration.FirstMissing(Config) is { } missing ? ValidationResult.Error(missing) : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        try
        {
            var effective = OperatorConfiguration.Effective(OperatorConfiguration.Layers(settings.Config, settings.DataDir));
            // Read as a node reads them, so a value of the wrong kind fails here too, named.
            TrainingSettings.From(effective);
            CommandHostSettings.From(effective);
            ActorTrain.Cluster.Configuration.DataSettings.From(effective);
            ActorTrain.Cluster.Ingest.IngestSettings.From(effective);
            var writer = console.Profile.Out.Writer;
            writer.WriteLine("actortrain " + Redacted(effective).GetConfig("actortrain").Root.ToString(1));
            writer.WriteLine("akka.cluster " + effective.GetConfig("akka.cluster").Root.ToString(1));
            writer.WriteLine("akka.remote " + effective.GetConfig("akka.remote").Root.ToString(1));
            return 0;
        }
        catch (Exception e) when (e is ConfigurationException or IOException)
        {
            errors.Line("config show", e.Message);
            return 1;
        }
    }

    // The pbm token and the journal's password are shown as *** (set or not is what an operator checks here); the
    // output goes to terminals, logs and tickets.
    private static Config Redacted(Config effective)
    {
        var hidden = new List<string>();
        if (effective.GetString("actortrain.cmd.token", "") is { Length: > 0 }) hidden.Add("actortrain.cmd.token = \"***\"");
        if (effective.GetString("actortrain.persistence.postgres.connection-string", "") is { Length: > 0 } connection)
            hidden.Add($"actortrain.persistence.postgres.connection-string = {EmbeddedHocon.Quote(Masked(connection))}");
        return hidden.Count == 0 ? effective : ConfigurationFactory.ParseString(string.Join('\n', hidden)).WithFallback(effective);
    }

    private static string Masked(string connectionString)
    {
        try
        {
            return JournalTarget.Parse("postgres:" + connectionString).Describe()["postgres:".Length..];
        }
        catch (ArgumentException)
        {
            return "***"; // not a connection string: what it holds is not shown at all
        }
    }
}
