namespace ActorTrain.Data.Cleaning.Normalise;

/// <summary>What to do with bytes that are not UTF-8 (actortrain.data.normalise.invalid-utf8).</summary>
public enum InvalidUtf8
{
    /// <summary>Replace each invalid sequence by U+FFFD and keep the document.</summary>
    Repair,
    /// <summary>Send the document to quarantine, naming the byte offset of the first bad sequence.</summary>
    Quarantine,
}
