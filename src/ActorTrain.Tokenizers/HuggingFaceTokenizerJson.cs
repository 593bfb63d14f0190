using System.Text.Json;
using System.Text.Json.Nodes;

namespace ActorTrain.Tokenizers;

/// <summary>
/// Saves and loads a byte-level BPE vocabulary as Hugging Face's tokenizer.json (model BPE,
/// ByteLevel pre-tokenizer and decoder, special tokens as added tokens, merges as "a b" strings,
/// which every tokenizers release reads), so Python's
/// <c>tokenizers.Tokenizer.from_file</c> loads what we train.
/// </summary>
public static class HuggingFaceTokenizerJson
{
    /// <summary>Writes the tokenizer.json to <paramref name="path"/> through a temporary file (complete or absent, not
    /// fsynced: a job that journals the file's hash writes it with <see cref="Write"/> into a durable file).</summary>
    public static void Save(BpeVocabulary vocabulary, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string temporary = path + ".partial";
        using (var file = File.Create(temporary)) Write(vocabulary, file);
        File.Move(temporary, path, overwrite: true);
    }

    public static void Write(BpeVocabulary vocabulary, Stream stream)
    {
        var vocab = new JsonObject();
        for (int id = 0; id < vocabulary.Size; id++)
        {
            var bytes = vocabulary.Tokens[id];
            if (bytes is not null) vocab[ByteLevelAlphabet.Encode(bytes)] = id;
        }
        foreach (var (text, id) in vocabulary.Specials.OrderBy(s => s.Value)) vocab[text] = id;
        var merges = new JsonArray();
        foreach (var (left, right) in vocabulary.MergePairs)
            merges.Add($"{ByteLevelAlphabet.Encode(vocabulary.Tokens[left])} {ByteLevelAlphabet.Encode(vocabulary.Tokens[right])}");
        var added = new JsonArray();
        foreach (var (text, id) in vocabulary.Specials.OrderBy(s => s.Value))
        {
            added.Add(new JsonObject
            {
                ["id"] = id, ["content"] = text, ["single_word"] = false, ["lstrip"] = false,
                ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
            });
        }
        var root = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = added,
            ["normalizer"] = null,
            ["pre_tokenizer"] = ByteLevel(addPrefixSpace: false),
            ["post_processor"] = ByteLevel(addPrefixSpace: true),
            ["decoder"] = ByteLevel(addPrefixSpace: true),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null, ["fuse_unk"] = false, ["byte_fallback"] = false,
                ["vocab"] = vocab, ["merges"] = merges,
            },
        };
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        root.WriteTo(writer);
    }

    /// <exception cref="InvalidDataException">Not a byte-level BPE tokenizer.json; the message names the file and the problem.</exception>
    public static BpeVocabulary Load(string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw Invalid(path, $"not JSON ({e.Message})");
        }
        var model = root?["model"] as JsonObject ?? throw Invalid(path, "no \"model\" object");
        if ((string?)model["type"] is string type && type != "BPE") throw Invalid(path, $"model type {type}; only byte-level BPE is supported");
        if ((string?)root!["pre_tokenizer"]?["type"] != "ByteLevel") throw Invalid(path, "the pre-tokenizer is not ByteLevel");
        var vocab = model["vocab"] as JsonObject ?? throw Invalid(path, "no model.vocab object");
        // Ids index the token table: each is checked to be a whole number below the entries' count (ids are dense), so a
        // file naming id 2e9 is refused rather than allocating a table of that size.
        int entries = vocab.Count + (root["added_tokens"] as JsonArray ?? []).Count;
        int IdOf(JsonNode? value, string what) =>
            value is JsonValue number && number.TryGetValue(out int id) && id >= 0 && id < entries ? id
                : throw Invalid(path, $"{what} has id {value?.ToJsonString() ?? "null"}, not a whole number from 0 to {entries - 1}");
        var specialIds = new Dictionary<string, int>();
        foreach (var token in root["added_tokens"] as JsonArray ?? [])
        {
            string content = (string?)(token?["content"] as JsonValue) ?? throw Invalid(path, "an added token without content");
            specialIds[content] = IdOf(token!["id"], $"added token '{content}'");
        }
        var byId = new Dictionary<int, byte[]>();
        var idOfText = new Dictionary<string, int>();
        foreach (var (text, value) in vocab)
        {
            int id = IdOf(value, $"vocab entry '{text}'");
            idOfText[text] = id;
            if (specialIds.ContainsKey(text)) continue;
            try
            {
                if (!byId.TryAdd(id, ByteLevelAlphabet.Decode(text))) throw Invalid(path, $"id {id} is given to two tokens");
            }
            catch (FormatException e)
            {
                throw Invalid(path, e.Message);
            }
        }
        int size = Math.Max(byId.Keys.DefaultIfEmpty(-1).Max(), specialIds.Values.DefaultIfEmpty(-1).Max()) + 1;
        var tokens = new byte[]?[size];
        foreach (var (id, bytes) in byId) tokens[id] = bytes;
        var merges = new List<(int, int)>();
        foreach (var merge in model["merges"] as JsonArray ?? throw Invalid(path, "no model.merges array"))
        {
            var (left, right) = MergeParts(merge, path);
            if (!idOfText.TryGetValue(left, out int l) || !idOfText.TryGetValue(right, out int r))
                throw Invalid(path, $"merge '{left} {right}' names a token that is not in the vocab");
            merges.Add((l, r));
        }
        try
        {
            return new BpeVocabulary(tokens, merges, specialIds);
        }
        catch (ArgumentException e)
        {
            throw Invalid(path, e.Message);
        }
    }

    // Written as ["a", "b"] by tokenizers >= 0.20, as "a b" before.
    private static (string, string) MergeParts(JsonNode? merge, string path)
    {
        if (merge is JsonArray { Count: 2 } pair && (string?)pair[0] is string a && (string?)pair[1] is string b) return (a, b);
        if (merge?.GetValueKind() == JsonValueKind.String && ((string)merge!).Split(' ') is [var left, var right]) return (left, right);
        throw Invalid(path, $"merge {merge?.ToJsonString()} is neither \"a b\" nor [\"a\", \"b\"]");
    }

    private static JsonObject ByteLevel(bool addPrefixSpace) => new()
    {
        ["type"] = "ByteLevel", ["add_prefix_space"] = addPrefixSpace, ["trim_offsets"] = true, ["use_regex"] = true,
    };

    private static InvalidDataException Invalid(string path, string problem) => new($"{path}: {problem}");
}
