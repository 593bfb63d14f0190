namespace ActorTrain.Data.Cleaning.Quality;

/// <summary>C4's line and page rules (Raffel et al. 2020, section 2.2).</summary>
public sealed record C4Settings
{
    /// <summary>Lines with fewer words are menu items and captions (datatrove uses 3).</summary>
    public int MinWordsPerLine { get; init; } = 5;
    /// <summary>Pages left with fewer sentences carry too little text.</summary>
    public int MinSentences { get; init; } = 3;
    /// <summary>Longer "words" are encoded blobs.</summary>
    public int MaxWordLength { get; init; } = 1000;
    /// <summary>Lines mentioning these are cookie banners and legal footers.</summary>
    public IReadOnlyList<string> PolicyPhrases { get; init; } =
        ["terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies"];
}
