using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ActorTrain.Model;

/// <summary>
/// A decoder-only transformer as in nanoGPT: token and learned position embeddings, pre-norm blocks,
/// a final norm and logits through the token embedding (tied). Attention is causal for next-token
/// prediction and bidirectional for the masked-token objective.
/// </summary>
public sealed class Gpt : nn.Module
{
    private readonly Embedding tokens;
    private readonly Embedding positions;
    private readonly ModuleList<Block> blocks;
    private readonly LayerNorm finalNorm;

    /// <summary>Builds the model with GPT-2's initialisation, drawn from <paramref name="seed"/>.</summary>
    public Gpt(ModelConfig config, long seed) : base("gpt")
    {
        Config = config.Validated();
        tokens = nn.Embedding(config.VocabularySize, config.Embedding);
        positions = nn.Embedding(config.Context, config.Embedding);
        blocks = nn.ModuleList([.. Enumerable.Range(0, config.Layers).Select(_ => new Block(config))]);
        finalNorm = nn.LayerNorm(config.Embedding);
        RegisterComponents();
        Initialise(seed);
    }

    public ModelConfig Config { get; }

    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>The name of the first parameter holding a NaN or an infinity; null when all are finite.</summary>
    public string? NonFiniteParameter()
    {
        using var scope = NewDisposeScope();
        foreach (var (name, parameter) in named_parameters())
        {
            if (!parameter.isfinite().all().item<bool>()) return name;
        }
        return null;
    }

    /// <param name="input">(B, T) token ids, T ≤ context.</param>
    /// <returns>(B, T, vocabulary) logits.</returns>
    /// <exception cref="ArgumentException">Wrong rank, or longer than the context.</exception>
    public Tensor Forward(Tensor input, bool causal)
    {
        if (input.dim() != 2) throw new ArgumentException($"input must be (batch, time), got {input.dim()} dimensions");
        long time = input.size(1);
        if (time > Config.Context) throw new ArgumentException($"sequence of {time} tokens is longer than the context of {Config.Context}");
        using var scope = NewDisposeScope();
        var x = tokens.forward(input) + positions.forward(arange(time, dtype: ScalarType.Int64));
        foreach (var block in blocks) x = block.Forward(x, causal);
        var normed = finalNorm.forward(x);
        return matmul(normed, tokens.weight!.t()).MoveToOuterDisposeScope();
    }

    // Drawn with randn and copied: TorchSharp 0.107's nn.init.normal_ does not draw from the generator it is given.
    private static void Normal(Tensor weight, double std, Generator generator)
    {
        using var scalars = new OwnedScalars();
        using var values = randn(weight.shape, generator: generator).mul_(scalars.Of(std));
        weight.copy_(values);
    }

    private void Initialise(long seed)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var generator = new Generator((ulong)seed);
        double residualStd = 0.02 / Math.Sqrt(2 * Config.Layers);
        var residual = blocks.SelectMany(b => b.ResidualProjections).ToHashSet();
        foreach (var module in modules())
        {
            switch (module)
            {
                case Linear linear:
                    Normal(linear.weight!, residual.Contains(linear) ? residualStd : 0.02, generator);
                    if (linear.bias is not null) nn.init.zeros_(linear.bias);
                    break;
                case Embedding embedding:
                    Normal(embedding.weight!, 0.02, generator);
                    break;
            }
        }
    }
}
