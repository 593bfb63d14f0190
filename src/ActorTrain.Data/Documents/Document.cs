using System.Collections.Immutable;

namespace ActorTrain.Data.Documents;

/// <summary>
/// One unit of training text. <paramref name="Id"/> is stable across runs (source path plus record
/// index, or a content address), so a resumed job produces the same ids; <paramref name="Metadata"/>
/// keeps what the source said about the text (JSONL fields, URL, language of code).
/// </summary>
public sealed record Document(string Id, string Text, string Source, ImmutableDictionary<string, string> Metadata)
{
    /// <summary>Metadata key naming the programming language of a source-code document.</summary>
    public const string LanguageKey = "language";

    public static Document Of(string id, string text, string source = "") =>
        new(id, text, source, ImmutableDictionary<string, string>.Empty);

    /// <summary>Source code gets checks suited to code, not prose filters.</summary>
    public bool IsCode => Metadata.ContainsKey(LanguageKey);

    public Document WithText(string text) => this with { Text = text };
}
