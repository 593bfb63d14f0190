using ActorTrain.Cluster.Configuration;
using ActorTrain.Data.Cleaning.Normalise;
using ActorTrain.Data.Documents;
using Akka.Configuration;
using Xunit;

namespace ActorTrain.Cluster.Tests;

public sealed class DataSettingsTests
{
    private static DataSettings Parse(string overrides) =>
        DataSettings.From(ConfigurationFactory.ParseString(overrides).WithFallback(EmbeddedHocon.Load(EmbeddedHocon.Base)));

    [Fact]
    public void Defaults_build_every_stage_in_the_documented_order()
    {
        var settings = Parse("");
        Assert.Equal(DataSettings.KnownStages, settings.StageNames);
        Assert.Equal(DataSettings.KnownStages, settings.Pipeline.Stages.Select(s => s.Name));
        Assert.Equal(4 * 1024 * 1024, settings.Readers.MaxRecordBytes);
        Assert.Equal(InvalidUtf8.Repair, settings.Readers.InvalidUtf8);
        Assert.Equal(112, settings.MinHash.Hashes);
    }

    [Fact]
    public void Overrides_reach_the_stages()
    {
        string twelveWords = "the of river mountain garden window teacher market evening letter village harbour";
        Assert.Equal("gopher-quality", Parse("").Pipeline.Clean(Document.Of("d", twelveWords)).DroppedBy);
        var relaxed = Parse("actortrain.data { stages = [normalise, gopher-quality], gopher-quality.min-words = 10 }");
        Assert.Null(relaxed.Pipeline.Clean(Document.Of("d", twelveWords)).DroppedBy);
    }

    [Theory]
    [InlineData("actortrain.data.stages = [normalise, spellcheck]", "actortrain.data.stages: unknown stage 'spellcheck'")]
    [InlineData("actortrain.data.gopher-quality.min-words = lots", "actortrain.data.gopher-quality.min-words: expected an integer")]
    [InlineData("actortrain.data.gopher-repetition.max-top-ngram-char-fraction = [0.2]", "expected 3 numbers, got 1")]
    [InlineData("actortrain.data.collect.invalid-utf8 = ignore", "actortrain.data.collect.invalid-utf8: 'ignore' is not one of repair, quarantine")]
    [InlineData("actortrain.data.collect.max-record-size = huge", "actortrain.data.collect.max-record-size: expected a size")]
    [InlineData("actortrain.data.minhash.shingle-words = 0", "actortrain.data.minhash.shingle-words: 0 is not between 1 and 64")]
    [InlineData("actortrain.data.minhash.bands = 0", "actortrain.data.minhash.bands: 0 is not between 1 and 1024")]
    [InlineData("actortrain.data.minhash.rows-per-band = -3", "actortrain.data.minhash.rows-per-band: -3 is not between 1 and 64")]
    public void Mistakes_name_the_key(string overrides, string expected) =>
        Assert.Contains(expected, Assert.Throws<ConfigurationException>(() => Parse(overrides)).Message);
}
