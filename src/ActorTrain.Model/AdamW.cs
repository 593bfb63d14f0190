using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ActorTrain.Model;

/// <summary>
/// AdamW (Loshchilov and Hutter) with decoupled weight decay on the matrices and embeddings only
/// (nanoGPT's parameter groups: no decay for biases and norms). Its state — step and both moments
/// per parameter — is in the open, so a checkpoint can hold it exactly and replicas can be handed it.
/// </summary>
public sealed class AdamW : IDisposable
{
    private readonly (string Name, Parameter Parameter, bool Decay)[] parameters;
    private readonly Dictionary<string, (Tensor Mean, Tensor Variance)> moments = [];

    public AdamW(IEnumerable<(string Name, Parameter Parameter)> named, double weightDecay, double beta1 = 0.9, double beta2 = 0.95, double epsilon = 1e-8)
    {
        parameters = [.. named.Select(p => (p.Name, p.Parameter, p.Parameter.dim() >= 2))];
        WeightDecay = weightDecay;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        foreach (var (name, parameter, _) in parameters) moments[name] = (zeros_like(parameter), zeros_like(parameter));
    }

    public double WeightDecay { get; }
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Epsilon { get; }

    /// <summary>Updates taken so far.</summary>
    public long Steps { get; private set; }

    public IReadOnlyDictionary<string, (Tensor Mean, Tensor Variance)> Moments => moments;

    public IEnumerable<string> DecayedNames => parameters.Where(p => p.Decay).Select(p => p.Name);

    public void Step(double learningRate)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        Steps++;
        double correction1 = 1 - Math.Pow(Beta1, Steps), correction2 = 1 - Math.Pow(Beta2, Steps);
        // Every scalar made here and held to the end of the step (see OwnedScalars: an implicit one can be freed
        // by a collection while libtorch reads it).
        using var scalars = new OwnedScalars();
        Scalar decayFactor = scalars.Of(1 - learningRate * WeightDecay), beta1 = scalars.Of(Beta1), beta2 = scalars.Of(Beta2),
            oneMinusBeta1 = scalars.Of(1 - Beta1), oneMinusBeta2 = scalars.Of(1 - Beta2), rootCorrection2 = scalars.Of(Math.Sqrt(correction2)),
            epsilon = scalars.Of(Epsilon), stepSize = scalars.Of(-learningRate / correction1), one = scalars.Of(1);
        foreach (var (name, parameter, decay) in parameters)
        {
            var gradient = parameter.grad;
            if (gradient is null) continue;
            var (mean, variance) = moments[name];
            if (decay) parameter.mul_(decayFactor);
            mean.mul_(beta1).add_(gradient, alpha: oneMinusBeta1);
            variance.mul_(beta2).addcmul_(gradient, gradient, value: oneMinusBeta2);
            var denominator = variance.sqrt().div_(rootCorrection2).add_(epsilon, alpha: one); // add_(scalar) makes an alpha of its own
            parameter.addcdiv_(mean, denominator, value: stepSize);
        }
    }

    /// <summary>Takes over a saved state (a checkpoint's, or a peer's).</summary>
    /// <exception cref="ArgumentException">The state does not cover exactly these parameters with their shapes.</exception>
    public void Load(long steps, IReadOnlyDictionary<string, (Tensor Mean, Tensor Variance)> state)
    {
        Check(state);
        using var _ = no_grad();
        foreach (var (name, (mean, variance)) in state)
        {
            var (ownMean, ownVariance) = moments[name];
            ownMean.copy_(mean);
            ownVariance.copy_(variance);
        }
        Steps = steps;
    }

    /// <summary>Takes the step count of a state whose moments were written into <see cref="Moments"/> in place (a
    /// peer's, sent a chunk at a time).</summary>
    public void ResumeAt(long steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        Steps = steps;
    }

    /// <summary>Checks, copying nothing, that <paramref name="state"/> is this optimizer's: <see cref="Load"/> then changes
    /// all of it or (throwing) none.</summary>
    /// <exception cref="ArgumentException">Other parameters, or moments of another shape.</exception>
    public void Check(IReadOnlyDictionary<string, (Tensor Mean, Tensor Variance)> state)
    {
        if (state.Count != moments.Count || state.Keys.Any(k => !moments.ContainsKey(k)))
            throw new ArgumentException($"optimizer state has {state.Count} parameters ({string.Join(", ", state.Keys.Except(moments.Keys).Take(3))}...), the model {moments.Count}");
        foreach (var (name, (mean, variance)) in state)
        {
            var ownMean = moments[name].Mean;
            if (!mean.shape.SequenceEqual(ownMean.shape) || !variance.shape.SequenceEqual(ownMean.shape))
                throw new ArgumentException($"optimizer state of {name} has shapes [{string.Join(", ", mean.shape)}] and [{string.Join(", ", variance.shape)}], the parameter [{string.Join(", ", ownMean.shape)}]");
        }
    }

    public void Dispose()
    {
        foreach (var (mean, variance) in moments.Values)
        {
            mean.Dispose();
            variance.Dispose();
        }
    }
}
