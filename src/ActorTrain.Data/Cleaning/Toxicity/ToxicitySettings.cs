namespace ActorTrain.Data.Cleaning.Toxicity;

public enum ToxicityAction
{
    /// <summary>Remove the document (C4's choice).</summary>
    Drop,
    /// <summary>Keep it with metadata "toxicity-matches" = count, for a later decision.</summary>
    Flag,
}

/// <summary>
/// Word-list toxicity filtering. The lists are files the operator chooses (one word or phrase per
/// line, '#' starts a comment); ActorTrain ships none.
/// </summary>
public sealed record ToxicitySettings
{
    public IReadOnlyList<string> WordListFiles { get; init; } = [];
    /// <summary>Most matches a document may have and pass; 0 is C4's rule (any match).</summary>
    public int MaxMatches { get; init; }
    public ToxicityAction Action { get; init; } = ToxicityAction.Drop;
}
