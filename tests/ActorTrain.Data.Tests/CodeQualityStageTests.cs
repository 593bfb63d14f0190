using System.Collections.Immutable;
using ActorTrain.Data.Cleaning.Code;
using ActorTrain.Data.Documents;
using Xunit;

namespace ActorTrain.Data.Tests;

public sealed class CodeQualityStageTests
{
    private readonly CodeQualityStage stage = new(new CodeQualitySettings());

    private static Document Code(string text) =>
        Document.Of("c", text) with { Metadata = ImmutableDictionary<string, string>.Empty.Add(Document.LanguageKey, "python") };

    [Fact]
    public void Ordinary_code_passes() =>
        Assert.True(stage.Apply(Code("def add(a, b):\n    return a + b\n\nprint(add(1, 2))\n")).IsKept);

    [Fact]
    public void Minified_code_is_dropped_at_the_line_length_limit()
    {
        Assert.True(stage.Apply(Code("x=1\n" + new string('a', 1000) + "\ny=2\nz=3\n" + string.Join('\n', Enumerable.Repeat("w = 4", 20)))).IsKept);
        Assert.Contains("a line of 1001 characters > 1000", stage.Apply(Code("x=1\n" + new string('a', 1001))).DropReason);
    }

    [Fact]
    public void Data_dumps_and_generated_files_are_dropped()
    {
        Assert.Contains("alphanumeric fraction", stage.Apply(Code(string.Join('\n', Enumerable.Repeat("[ ], { }, ( ), ;;", 10)))).DropReason);
        Assert.Contains("generated file", stage.Apply(Code("# This file is auto-generated. Do not edit.\nx = 1\n")).DropReason);
    }

    [Fact]
    public void Prose_is_not_judged_as_code() =>
        Assert.True(stage.Apply(Document.Of("p", new string('a', 5000))).IsKept);
}
