using ActorTrain.Cluster.Bootstrap;
using ActorTrain.Cluster.Configuration;
using ActorTrain.Cluster.Ingest;
using Akka.Configuration;
using Xunit;

namespace ActorTrain.Cluster.Tests;

// The durations outside actortrain.training, read as its are: named by key (an overlong one gave .NET's own
// "TimeSpan overflowed because the duration is too long").
public sealed class DurationSettingsTests
{
    private static Config With(string hocon) => ConfigurationFactory.ParseString(hocon).WithFallback(EmbeddedHocon.Load(EmbeddedHocon.Base));

    [Theory]
    [InlineData("actortrain.data.ingest.ask-timeout = 99999999999999d", "actortrain.data.ingest.ask-timeout '99999999999999d' is too long a duration to hold")]
    [InlineData("actortrain.data.ingest.ask-timeout = 0s", "actortrain.data.ingest.ask-timeout must be positive")]
    [InlineData("actortrain.data.ingest.plan-answer-within = soon", "actortrain.data.ingest.plan-answer-within 'soon' is not a duration")]
    public void Ingest_durations_are_named_when_refused(string hocon, string problem) =>
        Assert.Contains(problem, Assert.Throws<ConfigurationException>(() => IngestSettings.From(With(hocon))).Message);

    [Fact]
    public void Answering_a_plan_at_once_is_allowed() =>
        Assert.Equal(TimeSpan.Zero, IngestSettings.From(With("actortrain.data.ingest.plan-answer-within = 0s")).PlanAnswerWithin);

    [Theory]
    [InlineData("actortrain.bootstrap.probe-timeout = 99999999999999d", "actortrain.bootstrap.probe-timeout '99999999999999d' is too long a duration to hold")]
    [InlineData("actortrain.bootstrap.interval = 0s", "actortrain.bootstrap.interval must be positive")]
    public void Bootstrap_durations_are_named_when_refused(string hocon, string problem) =>
        Assert.Contains(problem, Assert.Throws<ConfigurationException>(() => BootstrapSettings.From(With(hocon), httpPort: 9464)).Message);
}
