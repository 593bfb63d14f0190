using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ActorTrain.Model;

/// <summary>A pre-norm transformer block: x + attention(norm(x)), then x + mlp(norm(x)).</summary>
public sealed class Block : nn.Module
{
    private readonly LayerNorm norm1;
    private readonly SelfAttention attention;
    private readonly LayerNorm norm2;
    private readonly Linear expand;
    private readonly Linear contract;

    public Block(ModelConfig config) : base("block")
    {
        norm1 = nn.LayerNorm(config.Embedding);
        attention = new SelfAttention(config);
        norm2 = nn.LayerNorm(config.Embedding);
        expand = nn.Linear(config.Embedding, 4 * config.Embedding);
        contract = nn.Linear(4 * config.Embedding, config.Embedding);
        RegisterComponents();
    }

    /// <summary>The projections that write into the residual stream (GPT-2 scales their initialisation by depth).</summary>
    internal IEnumerable<Linear> ResidualProjections => [attention.Output, contract];

    public Tensor Forward(Tensor x, bool causal)
    {
        using var scope = NewDisposeScope();
        var afterAttention = x + attention.Forward(norm1.forward(x), causal);
        var hidden = nn.functional.gelu(expand.forward(norm2.forward(afterAttention)));
        return (afterAttention + contract.forward(hidden)).MoveToOuterDisposeScope();
    }
}
