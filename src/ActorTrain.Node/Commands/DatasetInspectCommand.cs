using System.ComponentModel;
using ActorTrain.Data.Tokens;
using ActorTrain.Tokenizers;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ActorTrain.Node.Commands;

/// <summary>
/// `actortrain dataset inspect PATH`: the shards of a tokenized dataset (a directory with dataset.json)
/// or one packed shard, with counts, checksums verified, and the first tokens decoded.
/// </summary>
public sealed class DatasetInspectCommand(IAnsiConsole console, ErrorOutput errors) : Command<DatasetInspectCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<PATH>")]
        [Description("A dataset directory (with dataset.json) or a .tokens packed shard.")]
        public string Path { get; init; } = "";

        [CommandOption("--tokens <N>")]
        [Description("How many tokens of the first shard to decode. Default 64.")]
        public int Tokens { get; init; } = 64;

        [CommandOption("--tokenizer <REF>")]
        [Description("Tokenizer to decode a lone shard with (default: the dataset.json above it).")]
        public string? Tokenizer { get; init; }

        public override ValidationResult Validate() =>
            File.Exists(Path) || Directory.Exists(Path) ? ValidationResult.Success() : ValidationResult.Error($"{Path}: no such file or directory");
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        try
        {
            var (directory, index) = Locate(settings.Path);
            var shardPaths = File.Exists(settings.Path)
                ? [(System.IO.Path.GetFullPath(settings.Path), "-")]
                : index!.Shards.Select(s => (System.IO.Path.Combine(directory!, s.Path), s.Split)).ToArray();
            string? reference = settings.Tokenizer ?? index?.Tokenizer;
            if (index is not null) console.WriteLine($"dataset {directory}: tokenizer {index.Tokenizer}, vocabulary {index.VocabularySize}, end-of-text {index.EndOfText}");
            var table = new Table().AddColumn("shard").AddColumn("split").AddColumn(new TableColumn("documents").RightAligned())
                .AddColumn(new TableColumn("tokens").RightAligned()).AddColumn("dtype").AddColumn("checksum");
            foreach (var (path, split) in shardPaths)
            {
                using var shard = PackedShard.Open(path);
                table.AddRow(Markup.Escape(path), split, shard.Documents.ToString(), shard.Tokens.ToString(), shard.BytesPerToken == 2 ? "uint16" : "uint32", "ok");
            }
            console.Write(table);
            if (shardPaths.Length > 0 && settings.Tokens > 0) PrintFirstTokens(shardPaths[0].Item1, reference, settings.Tokens);
            return 0;
        }
        catch (InvalidDataException e)
        {
            errors.Line("dataset inspect", e.Message);
            return 1;
        }
    }

    private void PrintFirstTokens(string path, string? reference, int count)
    {
        using var shard = PackedShard.Open(path, verifyChecksum: false);
        var ids = new int[(int)Math.Min(count, shard.Tokens)];
        shard.Read(0, ids);
        console.WriteLine($"first {ids.Length} tokens of {path}:");
        console.WriteLine(string.Join(' ', ids));
        if (reference is null)
        {
            console.WriteLine("(no tokenizer known: pass --tokenizer to decode)");
            return;
        }
        console.WriteLine($"decoded with {reference}:");
        console.Write(new Panel(Markup.Escape(TokenizerCatalog.Load(reference).Decode(ids))));
    }

    // A dataset directory, or the dataset a lone shard belongs to (dataset.json one or two levels up).
    private static (string? Directory, DatasetIndex? Index) Locate(string path)
    {
        if (Directory.Exists(path)) return (System.IO.Path.GetFullPath(path), DatasetIndex.Load(path));
        for (var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)); directory is not null; directory = System.IO.Path.GetDirectoryName(directory))
        {
            if (File.Exists(System.IO.Path.Combine(directory, DatasetIndex.FileName))) return (directory, DatasetIndex.Load(directory));
        }
        return (null, null);
    }
}
