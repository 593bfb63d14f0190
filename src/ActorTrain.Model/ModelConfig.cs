using System.Text.Json.Serialization;

namespace ActorTrain.Model;

/// <summary>How attention is computed: our fused kernels, libtorch's scaled_dot_product_attention, or
/// the textbook softmax(q kᵀ) v (a reference; quadratic memory).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AttentionKind>))]
public enum AttentionKind { Fused, Sdpa, Naive }

/// <summary>
/// The shape of a decoder-only transformer (nanoGPT's GPTConfig): learned positions, pre-norm blocks,
/// a 4x GELU MLP, the output projection tied to the token embedding.
/// </summary>
public sealed record ModelConfig(
    [property: JsonPropertyName("vocabulary_size")] int VocabularySize,
    [property: JsonPropertyName("context")] int Context,
    [property: JsonPropertyName("layers")] int Layers,
    [property: JsonPropertyName("heads")] int Heads,
    [property: JsonPropertyName("embedding")] int Embedding,
    [property: JsonPropertyName("attention")] AttentionKind Attention = AttentionKind.Fused)
{
    public int HeadDimension => Embedding / Heads;

    /// <summary>Parameters of the architecture (a checkpoint must match all of them).</summary>
    public string Architecture => $"vocab {VocabularySize}, context {Context}, {Layers} layers, {Heads} heads, embedding {Embedding}";

    /// <exception cref="ArgumentException">A size that cannot work, named.</exception>
    public ModelConfig Validated()
    {
        if (VocabularySize < 2) throw new ArgumentException($"vocabulary size {VocabularySize} (needs at least 2)");
        if (Context < 2) throw new ArgumentException($"context {Context} (needs at least 2)");
        if (Layers < 1 || Heads < 1 || Embedding < 1) throw new ArgumentException($"layers {Layers}, heads {Heads}, embedding {Embedding} must be positive");
        if (Embedding % Heads != 0) throw new ArgumentException($"embedding {Embedding} is not a multiple of heads {Heads}");
        return this;
    }

    /// <summary>The presets; the vocabulary comes from the dataset's tokenizer.</summary>
    public static ModelConfig Preset(string name, int vocabularySize) => name switch
    {
        // Trains meaningfully on 2 CPU cores in minutes: ~0.8M parameters besides the embedding,
        // head dimension 32 so the fused kernels' blocks are full.
        "tiny" => new ModelConfig(vocabularySize, Context: 128, Layers: 4, Heads: 4, Embedding: 128),
        // tiny x2 in width and depth, x2 in context: ~6M parameters besides the embedding; a CPU-hour model.
        "small" => new ModelConfig(vocabularySize, Context: 256, Layers: 6, Heads: 4, Embedding: 256),
        // GPT-2 small (Radford et al., 2019): 124M parameters with the 50257-token vocabulary.
        "gpt2-124m" => new ModelConfig(vocabularySize, Context: 1024, Layers: 12, Heads: 12, Embedding: 768),
        _ => throw new ArgumentException($"unknown model preset '{name}' (tiny, small, gpt2-124m)"),
    };
}
