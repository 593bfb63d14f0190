using System.Text.RegularExpressions;
using CsCheck;
using Microsoft.ML.Tokenizers;
using Xunit;

namespace ActorTrain.Tokenizers.Tests;

public sealed class BpeTrainerTests
{
    private static readonly string[] Corpus = [.. TextGenerators.Corpus(400, seed: 7)];
    private static readonly BpeVocabulary Trained = BpeTrainer.Train(Corpus, vocabularySize: 900);

    [Fact]
    public void Learns_the_merges_the_textbook_algorithm_learns()
    {
        Assert.Equal(TextbookMerges(Corpus, Trained.MergePairs.Count), Trained.MergePairs);
    }

    [Fact]
    public void Vocabulary_has_the_requested_size_with_bytes_first_and_special_tokens_last()
    {
        Assert.Equal(900, Trained.Size);
        for (int b = 0; b < 256; b++) Assert.Equal(b, Trained.IdOfByte((byte)b));
        var names = SpecialTokens.All();
        Assert.Equal(Enumerable.Range(900 - names.Count, names.Count), names.Select(Trained.SpecialId));
        Assert.Equal(900 - 256 - names.Count, Trained.MergePairs.Count);
    }

    [Fact]
    public void Training_twice_gives_the_same_vocabulary()
    {
        var again = BpeTrainer.Train(Corpus.Reverse(), vocabularySize: 900);
        Assert.Equal(Trained.MergePairs, again.MergePairs);
    }

    [Fact]
    public void Saved_tokenizer_json_loads_back_and_encodes_like_microsoft()
    {
        using var directory = new ActorTrain.Testing.TemporaryDirectory("tokenizer");
        string path = Path.Combine(directory.Path, "tokenizer.json");
        HuggingFaceTokenizerJson.Save(Trained, path);
        var loaded = HuggingFaceTokenizerJson.Load(path);
        Assert.Equal(Trained.MergePairs, loaded.MergePairs);
        Assert.Equal(Trained.Specials.OrderBy(s => s.Value), loaded.Specials.OrderBy(s => s.Value));
        Assert.Equal(Trained.Tokens.Select(t => t is null ? null : Convert.ToHexString(t)), loaded.Tokens.Select(t => t is null ? null : Convert.ToHexString(t)));

        var ours = new ByteLevelBpeTokenizer(loaded, path);
        var microsoft = BpeTokenizer.Create(new BpeOptions(
            Enumerable.Range(0, loaded.Size).Where(id => loaded.Tokens[id] is not null)
                .Select(id => KeyValuePair.Create(ByteLevelAlphabet.Encode(loaded.Tokens[id]), id)))
        {
            Merges = loaded.MergePairs.Select(m => $"{ByteLevelAlphabet.Encode(loaded.Tokens[m.Left])} {ByteLevelAlphabet.Encode(loaded.Tokens[m.Right])}"),
            ByteLevel = true,
            PreTokenizer = new RegexPreTokenizer(new Regex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"), null),
        });
        TextGenerators.MixedText.Sample(text =>
        {
            Assert.True(microsoft.EncodeToIds(text).SequenceEqual(ours.Encode(text)), $"ids differ on {text}");
            Assert.Equal(text, ours.Decode(ours.Encode(text)));
        }, iter: 2000, seed: "0N0XIzNsQ0O2");
    }

    [Theory]
    [InlineData("{ not json", "not JSON")]
    [InlineData("""{"model": {"type": "WordPiece", "vocab": {}}}""", "only byte-level BPE")]
    [InlineData("""{"pre_tokenizer": {"type": "ByteLevel"}, "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}}""", "byte 0x00 has no token")]
    [InlineData("""{"pre_tokenizer": {"type": "ByteLevel"}, "model": {"type": "BPE", "vocab": {"a b": 0}, "merges": []}}""", "not byte-level text")]
    [InlineData("""{"pre_tokenizer": {"type": "ByteLevel"}, "model": {"type": "BPE", "vocab": {"a": 2000000000}, "merges": []}}""", "vocab entry 'a' has id 2000000000, not a whole number from 0 to 0")]
    [InlineData("""{"pre_tokenizer": {"type": "ByteLevel"}, "model": {"type": "BPE", "vocab": {"a": 1.5}, "merges": []}}""", "vocab entry 'a' has id 1.5")]
    [InlineData("""{"pre_tokenizer": {"type": "ByteLevel"}, "model": {"type": "BPE", "vocab": {"a": -1}, "merges": []}}""", "vocab entry 'a' has id -1")]
    [InlineData("""{"added_tokens": [{"content": "<|pad|>", "id": "x"}], "pre_tokenizer": {"type": "ByteLevel"}, "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}}""", "added token '<|pad|>' has id \"x\"")]
    public void A_broken_tokenizer_json_is_refused_naming_the_file_and_the_problem(string json, string problem)
    {
        using var directory = new ActorTrain.Testing.TemporaryDirectory("tokenizer");
        string path = Path.Combine(directory.Path, "tokenizer.json");
        File.WriteAllText(path, json);
        var error = Assert.Throws<InvalidDataException>(() => HuggingFaceTokenizerJson.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(problem, error.Message);
    }

    // The quadratic loop: count every pair of every word, merge the most frequent (smaller ids on a tie).
    private static List<(int, int)> TextbookMerges(IEnumerable<string> texts, int count)
    {
        var words = new Dictionary<string, long>();
        foreach (string text in texts)
        {
            var pieces = new List<Range>();
            Gpt2PreTokenizer.Split(text, pieces);
            foreach (var piece in pieces) words[text[piece]] = words.GetValueOrDefault(text[piece]) + 1;
        }
        var symbols = words.Select(w => (Ids: System.Text.Encoding.UTF8.GetBytes(w.Key).Select(b => (int)b).ToList(), Count: w.Value)).ToList();
        var merges = new List<(int, int)>();
        for (int next = 256; merges.Count < count; next++)
        {
            var pairs = new Dictionary<(int, int), long>();
            foreach (var (ids, c) in symbols)
                for (int i = 0; i + 1 < ids.Count; i++) pairs[(ids[i], ids[i + 1])] = pairs.GetValueOrDefault((ids[i], ids[i + 1])) + c;
            var best = pairs.OrderByDescending(p => p.Value).ThenBy(p => p.Key.Item1).ThenBy(p => p.Key.Item2).First();
            merges.Add(best.Key);
            foreach (var (ids, _) in symbols)
            {
                for (int i = 0; i + 1 < ids.Count; i++)
                {
                    if ((ids[i], ids[i + 1]) != best.Key) continue;
                    ids[i] = next;
                    ids.RemoveAt(i + 1);
                }
            }
        }
        return merges;
    }
}
