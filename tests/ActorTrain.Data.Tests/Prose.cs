namespace ActorTrain.Data.Tests;

/// <summary>Generated text with exact, known properties, so a test can sit on either side of a threshold.</summary>
internal static class Prose
{
    private static readonly string[] Vocabulary =
    [
        "river", "mountain", "garden", "window", "teacher", "market", "evening", "letter", "village", "harbour",
        "morning", "kitchen", "forest", "station", "history", "picture", "weather", "journey", "country", "question",
    ];

    /// <summary>A sentence of distinct-looking words ending in a period (no repeated n-grams across calls with
    /// different seeds), containing "the" and "of" so it reads as English to the stop-word rule.</summary>
    public static string Sentence(int seed, int words = 12)
    {
        var random = new Random(seed);
        var chosen = new List<string> { "The" };
        for (int i = 1; i < words - 1; i++) chosen.Add(i == 3 ? "of" : Vocabulary[random.Next(Vocabulary.Length)] + Suffix(random));
        chosen.Add("end" + Suffix(random) + ".");
        return string.Join(' ', chosen);
    }

    /// <summary>Lines of unique sentences.</summary>
    public static string Lines(int count, int firstSeed = 1) =>
        string.Join('\n', Enumerable.Range(firstSeed, count).Select(s => Sentence(s)));

    private static string Suffix(Random random) => ((char)('a' + random.Next(26))).ToString() + (char)('a' + random.Next(26));
}
