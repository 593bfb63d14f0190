using ActorTrain.Cluster.Configuration;
using Akka.Configuration;
using Xunit;

namespace ActorTrain.Cluster.Tests;

public sealed class HoconFileTests
{
    [Theory]
    [InlineData("akka.cluster {\n  roles = [data\n}\n", "ops.conf:3: '}' closes the '[' opened at line 2")]
    [InlineData("akka.cluster {\n  roles = [data]\n", "ops.conf:1: '{' is never closed")]
    [InlineData("a {\n  b = \"unfinished\n}\n", "ops.conf:2: a string is not closed on its line")]
    [InlineData("a = 1\n}\n", "ops.conf:2: '}' closes nothing")]
    [InlineData("actortrain.training {\n  step-timeout =\n}\n", "ops.conf:2: 'step-timeout' has no value")]
    [InlineData("text = \"\"\"never\nclosed\n", "ops.conf:1: a \"\"\" string is never closed")]
    [InlineData("a = 1\n  include \"/etc/other.conf\"\n", "ops.conf:2: includes are not followed: put the included settings in this file")]
    [InlineData("include required(file(\"x.conf\"))\n", "ops.conf:1: includes are not followed: put the included settings in this file")]
    public void A_broken_file_is_refused_with_its_line(string text, string problem) =>
        Assert.Equal(problem, Assert.Throws<ConfigurationException>(() => HoconFile.Check(text, "ops.conf")).Message);

    [Fact]
    public void Every_file_of_hocon_passes_the_check()
    {
        foreach (string name in new[] { EmbeddedHocon.Base, EmbeddedHocon.Cluster, EmbeddedHocon.ClusterSingleNode, EmbeddedHocon.LocalProfile,
                     EmbeddedHocon.ProductionProfile, EmbeddedHocon.PersistenceSqlite, EmbeddedHocon.PersistencePostgres })
            HoconFile.Check(EmbeddedHocon.Text(name), name);
    }

    [Fact]
    public void Bytes_that_are_not_utf8_and_a_directory_are_refused_by_name_and_a_byte_order_mark_is_read()
    {
        string directory = Directory.CreateTempSubdirectory("actortrain-hocon-").FullName;
        try
        {
            string file = Path.Combine(directory, "ops.conf");
            // Latin-1 "é" in a value on line 2: read leniently, it became U+FFFD in the setting.
            File.WriteAllBytes(file, [.. "a = 1\nb = \"caf"u8, 0xE9, .. "\"\n"u8]);
            Assert.Equal($"{file}:2: not UTF-8 (byte 0xE9 at offset 14): HOCON files are read as UTF-8",
                Assert.Throws<ConfigurationException>(() => HoconFile.Load(file)).Message);
            Assert.Equal($"{directory}: a directory, not a HOCON file", Assert.Throws<ConfigurationException>(() => HoconFile.Load(directory)).Message);
            File.WriteAllBytes(file, [0xEF, 0xBB, 0xBF, .. "b = 1\n# \""u8, 0xFF]);
            Assert.Equal($"{file}:2: not UTF-8 (byte 0xFF at offset 12): HOCON files are read as UTF-8", Assert.Throws<ConfigurationException>(() => HoconFile.Load(file)).Message);
            File.WriteAllBytes(file, [0xEF, 0xBB, 0xBF, .. "b = \"café\"\n"u8]);
            Assert.Equal("café", HoconFile.Load(file).GetString("b"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Comments_strings_and_urls_are_not_mistaken_for_structure()
    {
        HoconFile.Check("""
            # a { comment [ with brackets
            a = "text with } and ] and = inside" // another { comment
            seeds = ["akka.tcp://actortrain@host:4053"]
            url = http://example.org/x
            b { c = 1, d = [1, 2] }
            """, "ok.conf");
    }
}
