using ActorTrain.Data.Sampling;

namespace ActorTrain.Data.Cloze;

/// <summary>
/// BERT's masked-token objective for one sequence: 15% of the ordinary tokens are selected (exactly,
/// rounded), and of those 80% become [MASK], 10% a random ordinary token and 10% stay as they are;
/// the loss is taken only at the selected positions.
/// A pure function of (tokens, the run's random streams, mask key): the key is the sample, or its visit where masks
/// change each epoch.
/// </summary>
public static class MaskedTokens
{
    public const double SelectedFraction = 0.15;

    /// <param name="inputs">Receives the corrupted sequence.</param>
    /// <param name="labels">Receives the original token at selected positions, <see cref="ClozeTokens.IgnoredLabel"/> elsewhere.</param>
    public static void Build(ReadOnlySpan<int> tokens, ClozeTokens vocabulary, RandomStreams streams, long maskKey, Span<int> inputs, Span<int> labels)
    {
        if (inputs.Length != tokens.Length || labels.Length != tokens.Length)
            throw new ArgumentException($"inputs ({inputs.Length}) and labels ({labels.Length}) must be as long as the tokens ({tokens.Length})");
        tokens.CopyTo(inputs);
        labels.Fill(ClozeTokens.IgnoredLabel);
        var eligible = new List<int>(tokens.Length);
        for (int i = 0; i < tokens.Length; i++)
            if ((uint)tokens[i] < (uint)vocabulary.OrdinaryTokens) eligible.Add(i);
        if (eligible.Count == 0) return;
        int selected = Math.Max(1, (int)Math.Round(SelectedFraction * eligible.Count, MidpointRounding.AwayFromZero));
        var random = streams.For((ulong)maskKey, 0x4D4C4D);
        for (int k = 0; k < selected; k++)
        {
            int pick = k + (int)random.NextBelow(eligible.Count - k); // partial Fisher-Yates: k distinct positions
            (eligible[k], eligible[pick]) = (eligible[pick], eligible[k]);
            int position = eligible[k];
            labels[position] = tokens[position];
            double roll = random.NextDouble();
            if (roll < 0.8) inputs[position] = vocabulary.Mask;
            else if (roll < 0.9) inputs[position] = (int)random.NextBelow(vocabulary.OrdinaryTokens);
        }
    }
}
