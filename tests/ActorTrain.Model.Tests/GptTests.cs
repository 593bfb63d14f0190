using ActorTrain.Model;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ActorTrain.Model.Tests;

public sealed class GptTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Fused_attention_gives_the_loss_and_gradients_of_sdpa_and_naive(bool causal)
    {
        using var scope = NewDisposeScope();
        var tokens = randint(0, SyntheticDataset.Vocabulary, [3, 32], generator: new Generator(1));
        (float Loss, Dictionary<string, Tensor> Gradients) Run(AttentionKind kind)
        {
            var model = new Gpt(SyntheticDataset.Model(kind), seed: 3);
            var logits = model.Forward(tokens, causal);
            var loss = nn.functional.cross_entropy(logits.view(-1, SyntheticDataset.Vocabulary), tokens.view(-1));
            loss.backward();
            return (loss.item<float>(), model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone()));
        }
        var fused = Run(AttentionKind.Fused);
        foreach (var reference in new[] { Run(AttentionKind.Sdpa), Run(AttentionKind.Naive) })
        {
            Assert.Equal(reference.Loss, fused.Loss, 5);
            foreach (var (name, gradient) in reference.Gradients)
                Assert.True(allclose(fused.Gradients[name], gradient, rtol: 1e-3, atol: 1e-5), $"{name}: max difference {(fused.Gradients[name] - gradient).abs().max().item<float>()}");
        }
    }

    [Fact]
    public void Wrong_shapes_are_refused_with_the_reason()
    {
        using var scope = NewDisposeScope();
        var model = new Gpt(SyntheticDataset.Model(), seed: 1);
        Assert.Contains("longer than the context", Assert.Throws<ArgumentException>(() => model.Forward(zeros(1, 33, dtype: ScalarType.Int64), true)).Message);
        Assert.Contains("(batch, time)", Assert.Throws<ArgumentException>(() => model.Forward(zeros(33, dtype: ScalarType.Int64), true)).Message);
        Assert.Contains("not a multiple of heads", Assert.Throws<ArgumentException>(() => new Gpt(SyntheticDataset.Model() with { Heads = 3 }, 1)).Message);
    }

    [Fact]
    public void The_same_seed_builds_the_same_model()
    {
        using var scope = NewDisposeScope();
        var a = new Gpt(SyntheticDataset.Model(), seed: 9).parameters().ToArray();
        var b = new Gpt(SyntheticDataset.Model(), seed: 9).parameters().ToArray();
        var c = new Gpt(SyntheticDataset.Model(), seed: 10).parameters().ToArray();
        Assert.All(a.Zip(b), p => Assert.True(p.First.eq(p.Second).all().item<bool>()));
        Assert.Contains(a.Zip(c), p => !p.First.eq(p.Second).all().item<bool>());
    }
}
