using System.Text.Json;
using ActorTrain.Cluster.Configuration;
using ActorTrain.Cmd.Palettes.Builtin;
using ActorTrain.Node.Logging;
using ActorTrain.Testing;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Xunit;

namespace ActorTrain.Node.Tests;

/// <summary>Akka's log events through Serilog as a node sets it up: named values become properties, the node is on every event.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerilogGlobalLogger
{
    // Serilog's Log.Logger is process-wide: tests that set it run alone.
    public const string Name = "Serilog's global logger";
}

[Collection(SerilogGlobalLogger.Name)]
public sealed class NodeLoggingTests
{
    private sealed class Logs : ReceiveActor
    {
        public Logs() => Receive<long>(step => Context.GetLogger().Info("run {Run} step {Step}: loss {Loss:0.0000}", "story", step, 1.234567));
    }

    [Fact]
    public async Task Json_lines_carry_node_run_and_step_as_properties_and_pbm_keeps_them_as_text()
    {
        var output = new StringWriter();
        var recent = new RecentLogs();
        NodeLogging.Configure("127.0.0.1:4053", "json", recent, output);
        try
        {
            var config = NodeLogging.AkkaLoggers.WithFallback(ConfigurationFactory.ParseString("akka.loglevel = INFO"))
                .WithFallback(EmbeddedHocon.Load(EmbeddedHocon.Base));
            using var system = ActorSystem.Create("logging", config);
            system.ActorOf(Props.Create<Logs>()).Tell(7L);
            var line = await Eventually.Until(() => Task.FromResult(Lines(output).FirstOrDefault(l => l.Contains("\"Run\"", StringComparison.Ordinal))),
                l => l is not null, TimeSpan.FromSeconds(10), "the log line");
            using var json = JsonDocument.Parse(line!);
            Assert.Equal("story", json.RootElement.GetProperty("Run").GetString());
            Assert.Equal(7, json.RootElement.GetProperty("Step").GetInt64());
            Assert.Equal("127.0.0.1:4053", json.RootElement.GetProperty("Node").GetString());
            Assert.Equal("run {Run} step {Step}: loss {Loss:0.0000}", json.RootElement.GetProperty("@mt").GetString());
            // The event reaches the pbm buffer after the console sink: seeing it on the console does not mean it is there yet.
            var kept = await Eventually.Until(() => Task.FromResult(recent.Last(RecentLogs.Capacity).SingleOrDefault(l => l.Contains("run story", StringComparison.Ordinal))),
                l => l is not null, TimeSpan.FromSeconds(10), "the line kept for pbm");
            Assert.Matches(@"^\[\d\d:\d\d:\d\d\.\d{3} INF\] \[127\.0\.0\.1:4053\] \S+: run story step 7: loss 1\.2346$", kept);
            await system.Terminate();
        }
        finally
        {
            NodeLogging.Flush();
        }
    }

    [Fact]
    public void An_unknown_format_is_refused_naming_the_key()
    {
        var error = Assert.Throws<ConfigurationException>(() => NodeLogging.Configure("n", "xml", new RecentLogs(), TextWriter.Null));
        Assert.Contains("actortrain.logging.format = 'xml'", error.Message);
    }

    private static string[] Lines(StringWriter output)
    {
        lock (output) return output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
