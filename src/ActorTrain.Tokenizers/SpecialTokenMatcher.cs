using System.Collections.Frozen;

namespace ActorTrain.Tokenizers;

/// <summary>Finds special token strings in text (longest first where two start at the same place).</summary>
internal sealed class SpecialTokenMatcher
{
    private readonly (string Text, int Id)[] tokens;
    private readonly FrozenDictionary<int, string> textOfId;
    private readonly System.Buffers.SearchValues<char> firstChars;

    public SpecialTokenMatcher(IReadOnlyDictionary<string, int> specials)
    {
        tokens = [.. specials.Select(s => (s.Key, s.Value)).OrderByDescending(s => s.Key.Length)];
        textOfId = specials.ToFrozenDictionary(s => s.Value, s => s.Key);
        firstChars = System.Buffers.SearchValues.Create([.. specials.Keys.Select(k => k[0]).Distinct()]);
    }

    public string TextOf(int id) => textOfId[id];

    public (int At, int Length, int Id)? FindNext(string text, int start)
    {
        if (tokens.Length == 0) return null;
        for (int at = start; at < text.Length;)
        {
            int found = text.AsSpan(at).IndexOfAny(firstChars);
            if (found < 0) return null;
            at += found;
            foreach (var (special, id) in tokens)
                if (text.AsSpan(at).StartsWith(special, StringComparison.Ordinal)) return (at, special.Length, id);
            at++;
        }
        return null;
    }
}
