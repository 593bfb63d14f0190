using System.ComponentModel;
using ActorTrain.Cluster.Configuration;
using ActorTrain.Cluster.Persistence;
using ActorTrain.Node.Configuration;
using ActorTrain.Node.Info;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ActorTrain.Node.Commands;

/// <summary>`actortrain info`: what this node is made of, and whether each piece works.</summary>
public sealed class InfoCommand(IAnsiConsole console, ErrorOutput errors) : AsyncCommand<InfoCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--json")]
        [Description("Print the report as JSON instead of a table.")]
        public bool Json { get; init; }

        [CommandOption("--db <TARGET>")]
        [Description("Journal to check: sqlite:PATH or postgres:CONNECTION_STRING. Default: the configured one (actortrain.persistence, from --config and ACTORTRAIN__PERSISTENCE__*: a SQLite file in the data directory unless set).")]
        public string? Db { get; init; }

        [CommandOption("--config <PROFILE_OR_FILE>")]
        [Description("Configuration whose actortrain.persistence names the journal, as the node's --config (repeatable, the first wins).")]
        public string[] Config { get; init; } = [];

        [CommandOption("--data-dir <DIR>")]
        [Description("Node data directory (actortrain.node.data-dir). Default: $XDG_DATA_HOME/actortrain.")]
        public string? DataDir { get; init; }

        [CommandOption("--timeout <SECONDS>")]
        [Description("How long the journal may take to answer the write and read.")]
        [DefaultValue(30)]
        public int TimeoutSeconds { get; init; } = 30;

        public override ValidationResult Validate()
        {
            if (TimeoutSeconds <= 0) return ValidationResult.Error("--timeout must be a positive number of seconds");
            if (OperatorConfiguration.FirstMissing(Config) is { } missing) return ValidationResult.Error(missing);
            if (Db is null) return ValidationResult.Success();
            try
            {
                JournalTarget.Parse(Db);
                return ValidationResult.Success();
            }
            catch (ArgumentException e)
            {
                return ValidationResult.Error($"--db: {e.Message}");
            }
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        JournalTarget journal;
        try
        {
            journal = Journal(settings);
        }
        catch (Exception e) when (e is Akka.Configuration.ConfigurationException or IOException or ArgumentException)
        {
            errors.Line("info", e.Message);
            return 1;
        }
        var info = await NodeInfoCollector.CollectAsync(journal, TimeSpan.FromSeconds(settings.TimeoutSeconds), cancellationToken);
        if (settings.Json) NodeInfoPrinter.WriteJson(console, info);
        else NodeInfoPrinter.WriteTable(console, info);
        foreach (string failure in info.Failures()) errors.Line("info", failure);
        return info.Ok ? 0 : 1;
    }

    private static JournalTarget Journal(Settings settings)
    {
        if (settings.Db is not null) return JournalTarget.Parse(settings.Db);
        // The journal the node would use with the same --config, --data-dir and environment.
        return PersistenceSettings.JournalFrom(OperatorConfiguration.Effective(OperatorConfiguration.Layers(settings.Config, settings.DataDir)));
    }
}
