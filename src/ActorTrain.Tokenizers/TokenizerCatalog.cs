namespace ActorTrain.Tokenizers;

/// <summary>Turns a tokenizer reference — "gpt2", "cl100k_base" or a tokenizer.json path — into a tokenizer.</summary>
public static class TokenizerCatalog
{
    /// <exception cref="InvalidDataException">The reference is neither a known vocabulary nor a readable tokenizer.json.</exception>
    public static ITextTokenizer Load(string reference) => reference switch
    {
        PretrainedTokenizers.Gpt2 => PretrainedTokenizers.OurGpt2(),
        PretrainedTokenizers.Cl100kBase => PretrainedTokenizers.Microsoft(PretrainedTokenizers.Cl100kBase),
        _ when File.Exists(reference) => new ByteLevelBpeTokenizer(HuggingFaceTokenizerJson.Load(reference), Path.GetFullPath(reference)),
        _ => throw new InvalidDataException($"tokenizer '{reference}' is neither {PretrainedTokenizers.Gpt2}, {PretrainedTokenizers.Cl100kBase} nor an existing tokenizer.json file"),
    };
}
