using System.ComponentModel;
using ActorTrain.Model;
using ActorTrain.Tokenizers;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ActorTrain.Node.Commands;

/// <summary>`actortrain sample`: continue a prompt with a causal checkpoint, or fill the [MASK]s of a text with a cloze one.</summary>
public sealed class SampleCommand(IAnsiConsole console, ErrorOutput errors) : Command<SampleCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--checkpoint <DIR>")]
        [Description("A checkpoint directory, or a run directory (its newest good checkpoint).")]
        public string? Checkpoint { get; init; }

        [CommandOption("--prompt <TEXT>")]
        [Description("Text to continue (causal models).")]
        public string? Prompt { get; init; }

        [CommandOption("--fill <TEXT>")]
        [Description("Text whose [[MASK]] tokens the model fills (mlm models).")]
        public string? Fill { get; init; }

        [CommandOption("--max-tokens <N>")]
        [Description("Tokens to generate. Default 64.")]
        public int MaxTokens { get; init; } = 64;

        [CommandOption("--temperature <T>")]
        [Description("Sampling temperature; 0 takes the most likely token. Default 0.8.")]
        public double Temperature { get; init; } = 0.8;

        [CommandOption("--top-k <K>")]
        [Description("Sample among the K most likely tokens; 0 for all. Default 40.")]
        public int TopK { get; init; } = 40;

        [CommandOption("--seed <N>")]
        [Description("Seed of the sampling. Default 1.")]
        public ulong Seed { get; init; } = 1;

        public override ValidationResult Validate()
        {
            if (DirectoryNames.NotADirectory("--checkpoint", Checkpoint) is { } notADirectory) return ValidationResult.Error(notADirectory);
            if ((Prompt is null) == (Fill is null)) return ValidationResult.Error("give exactly one of --prompt and --fill");
            if (MaxTokens < 1 || !(Temperature >= 0 && double.IsFinite(Temperature)) || TopK < 0)
                return ValidationResult.Error("--max-tokens must be at least 1, --temperature and --top-k not negative");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        try
        {
            using var scope = TorchSharp.torch.NewDisposeScope();
            var (model, tokenizer, objective) = Load(settings.Checkpoint!, warning => errors.Line("sample", warning));
            if (settings.Prompt is not null)
            {
                if (objective != Objective.Causal) throw new InvalidDataException($"this checkpoint was trained with the {objective} objective: use --fill");
                var prompt = tokenizer.EncodeWithSpecialTokens(settings.Prompt);
                var generated = TextGenerator.Continue(model, prompt, settings.MaxTokens, settings.Temperature, settings.TopK, settings.Seed, tokenizer.EndOfText);
                console.Profile.Out.Writer.WriteLine(settings.Prompt + tokenizer.Decode(generated));
            }
            else
            {
                if (objective != Objective.Mlm) throw new InvalidDataException($"this checkpoint was trained with the {objective} objective: --fill needs an mlm one");
                var tokens = tokenizer.EncodeWithSpecialTokens(settings.Fill!);
                if (!tokens.Contains(tokenizer.Mask)) throw new ArgumentException($"--fill text has no {SpecialTokens.Mask}");
                console.Profile.Out.Writer.WriteLine(tokenizer.Decode(TextGenerator.Fill(model, tokens, tokenizer.Mask)));
            }
            return 0;
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            errors.Line("sample", e.Message);
            return 1;
        }
    }

    internal static (Gpt Model, ITextTokenizer Tokenizer, Objective Objective) Load(string directory, Action<string> warn)
    {
        using var checkpoint = File.Exists(Path.Combine(directory, ActorTrain.Model.Checkpoint.CompleteMarker))
            ? ActorTrain.Model.Checkpoint.Read(directory)
            : ActorTrain.Model.Checkpoint.ReadLatest(directory, warn) ?? throw new InvalidDataException($"{directory}: no checkpoint");
        var tokenizer = TokenizerCatalog.Load(checkpoint.Metadata.Tokenizer);
        var model = new Gpt(checkpoint.Metadata.Model, seed: 0);
        checkpoint.RestoreModel(model);
        return (model, tokenizer, checkpoint.Metadata.Training.Objective);
    }
}
