using System.Collections.Immutable;
using ActorTrain.Data.Cleaning.Normalise;
using ActorTrain.Data.Documents;
using Xunit;

namespace ActorTrain.Data.Tests;

public sealed class NormaliseStageTests
{
    [Fact]
    public void Prose_gets_one_spelling()
    {
        string messy = "\uFEFFCafe\u0301  au   lait\r\nsecond\tline   \r\n\r\n\r\n\r\nthird\u0007 line\u00AD.\r";
        Assert.Equal("Café au lait\nsecond line\n\nthird line.", NormaliseStage.Normalise(messy, isCode: false));
    }

    [Fact]
    public void Code_keeps_its_indentation_and_tabs()
    {
        string code = "def f():\r\n\tif x:\r\n        return  1   \r\n";
        Assert.Equal("def f():\n\tif x:\n        return  1", NormaliseStage.Normalise(code, isCode: true));
    }

    [Fact]
    public void Lone_surrogates_become_replacement_characters_instead_of_breaking_normalisation() =>
        Assert.Equal("a\uFFFDb\uFFFD", NormaliseStage.Normalise("a\uD800b\uDC00", isCode: false));

    [Fact]
    public void Emoji_sequences_keep_their_joiners() =>
        Assert.Equal("👩\u200D💻 works", NormaliseStage.Normalise("👩\u200D💻 works", isCode: false));

    [Fact]
    public void A_document_that_normalises_to_nothing_is_dropped() =>
        Assert.Equal("empty after normalisation", new NormaliseStage().Apply(Document.Of("d", " \r\n\t\u0000 ")).DropReason);

    [Fact]
    public void Invalid_utf8_is_repaired_or_reported_with_its_offset()
    {
        byte[] bytes = [.. "ok "u8, 0xC3, 0x28, .. " end"u8];
        Assert.Equal("ok \uFFFD( end", Utf8Decoder.Decode(bytes, InvalidUtf8.Repair, out _));
        Assert.Null(Utf8Decoder.Decode(bytes, InvalidUtf8.Quarantine, out string? problem));
        Assert.Equal("invalid UTF-8 at byte 3", problem);
    }

    [Fact]
    public void Code_flag_comes_from_the_language_metadata()
    {
        var code = Document.Of("c", "x\t= 1") with { Metadata = ImmutableDictionary<string, string>.Empty.Add(Document.LanguageKey, "python") };
        Assert.Equal("x\t= 1", new NormaliseStage().Apply(code).Kept!.Text);
    }
}
