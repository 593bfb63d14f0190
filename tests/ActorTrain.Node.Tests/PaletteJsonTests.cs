using ActorTrain.Node.Cmd;
using Xunit;

namespace ActorTrain.Node.Tests;

public sealed class PaletteJsonTests
{
    [Fact]
    public void A_diverged_steps_loss_is_written_not_refused()
    {
        // The shape of a run's summary: its loss is the last step's, NaN once the run diverged.
        Assert.Equal("""{"run":"r","loss":"NaN","tokensPerSecond":"Infinity"}""",
            PaletteJson.Serialize(new { run = "r", loss = double.NaN, tokensPerSecond = double.PositiveInfinity }));
    }
}
