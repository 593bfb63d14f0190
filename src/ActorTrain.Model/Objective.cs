using System.Text.Json.Serialization;

namespace ActorTrain.Model;

/// <summary>
/// What a run learns. <c>Causal</c>: the next token, causal attention. <c>Mlm</c>: BERT's masked
/// tokens, bidirectional attention. <c>Span</c>: T5's span corruption in a decoder-only model — the
/// corrupted text, then the sentinels and the spans they hide, with the loss on the latter (a prefix
/// LM like UL2's decoder-only denoisers; the prefix is attended causally, which our kernels support).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<Objective>))]
public enum Objective { Causal, Mlm, Span }

public static class ObjectiveExtensions
{
    public static bool IsCloze(this Objective objective) => objective != Objective.Causal;

    public static bool IsCausalAttention(this Objective objective) => objective != Objective.Mlm;
}
