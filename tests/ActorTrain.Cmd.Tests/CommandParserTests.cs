using ActorTrain.Cmd.Palettes;
using Xunit;

namespace ActorTrain.Cmd.Tests;

public sealed class CommandParserTests
{
    private static readonly PaletteDefinition[] Palettes =
    [
        new("cluster", "Membership.",
        [
            new("show", "Members.", []),
            new("down", "Down a member.", [new("address", "a", "Address.", Mandatory: true)]),
            new("tail", "Events.", [new("verbose", "v", "More.", IsFlag: true)]),
        ]),
        new("actor", "Actors.", [new("hierarchy", "Tree.", [new("depth", "d", "Levels.", Default: "3"), new("start", "s", "Path.", Default: "/user")])]),
    ];

    [Fact]
    public void Switches_long_and_short_flags_defaults_and_json_are_read()
    {
        var down = CommandParser.Parse(Palettes, ["cluster", "down", "-a", "akka.tcp://x@h:1", "--json"]);
        Assert.Equal("akka.tcp://x@h:1", down.Required("address"));
        Assert.True(down.Json);
        var tail = CommandParser.Parse(Palettes, ["cluster", "tail", "--verbose"]);
        Assert.True(tail.Flag("verbose"));
        Assert.False(tail.Json);
        var tree = CommandParser.Parse(Palettes, ["actor", "hierarchy", "--depth", "5"]);
        Assert.Equal(5, tree.Integer("depth", 0));
        Assert.Equal("/user", tree.Value("start"));
    }

    [Theory]
    [InlineData(new string[0], "no command given; palettes: cluster, actor")]
    [InlineData(new[] { "clustr", "show" }, "unknown palette 'clustr'; palettes: cluster, actor")]
    [InlineData(new[] { "cluster" }, "no command given for cluster; commands: show, down, tail")]
    [InlineData(new[] { "cluster", "shw" }, "unknown command 'cluster shw'; commands: show, down, tail")]
    [InlineData(new[] { "cluster", "down" }, "cluster down: --address is required; usage: cluster down -a|--address ADDRESS [--json]")]
    [InlineData(new[] { "cluster", "down", "-a" }, "cluster down: -a needs a value")]
    [InlineData(new[] { "cluster", "down", "-a", "x", "-a", "y" }, "cluster down: -a is given twice")]
    [InlineData(new[] { "cluster", "show", "--all" }, "cluster show: unknown switch '--all'; usage: cluster show [--json]")]
    public void A_command_line_that_does_not_fit_is_refused_naming_the_problem(string[] words, string problem) =>
        Assert.StartsWith(problem, Assert.Throws<CommandLineException>(() => CommandParser.Parse(Palettes, words)).Message);

    [Fact]
    public void A_switch_that_wants_a_number_says_so()
    {
        var tree = CommandParser.Parse(Palettes, ["actor", "hierarchy", "-d", "deep"]);
        Assert.Equal("--depth 'deep' is not a whole number", Assert.Throws<CommandLineException>(() => tree.Integer("depth", 3)).Message);
    }

    [Theory]
    [InlineData("cluster show", new[] { "cluster", "show" })]
    [InlineData("  train start -r \"my run\"  --dataset a\\ b ", new[] { "train", "start", "-r", "my run", "--dataset", "a b" })]
    [InlineData("train status -r \"\"", new[] { "train", "status", "-r", "" })]
    public void A_typed_line_splits_into_words(string line, string[] words) => Assert.Equal(words, CommandParser.Split(line));

    [Fact]
    public void An_unclosed_quote_is_refused() =>
        Assert.Equal("a quote is not closed", Assert.Throws<CommandLineException>(() => CommandParser.Split("train status -r \"half")).Message);
}
