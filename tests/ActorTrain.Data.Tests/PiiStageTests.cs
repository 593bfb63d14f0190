using ActorTrain.Data.Cleaning.Pii;
using Xunit;

namespace ActorTrain.Data.Tests;

public sealed class PiiStageTests
{
    private readonly PiiStage stage = new(new PiiPlaceholders());

    [Theory]
    [InlineData("Write to jane.doe+news@example.co.uk today.", "Write to <EMAIL> today.")]
    [InlineData("Server at 8.8.4.4 answered.", "Server at <IP_ADDRESS> answered.")]
    [InlineData("Call +44 20 7946 0958 or (555) 123-4567.", "Call <PHONE> or <PHONE>.")]
    [InlineData("key AKIAIOSFODNN7EXAMPLE here", "key <SECRET> here")]
    [InlineData("token ghp_abcdefghijklmnopqrstuvwxyz0123456789AB ok", "token <SECRET> ok")]
    [InlineData("password = \"hunter2hunter2\"", "password = \"<SECRET>\"")]
    [InlineData("API_KEY: 9f8e7d6c5b4a39281706", "API_KEY: <SECRET>")]
    public void Personal_data_and_secrets_become_placeholders(string text, string expected) =>
        Assert.Equal(expected, stage.Scrub(text));

    [Theory]
    [InlineData("Router at 192.168.1.1 and 10.0.0.7, loopback 127.0.0.1, docker 172.17.0.2.")]
    [InlineData("Version 2.10.0 of the library, released in 2024 with 1500 pages.")]
    [InlineData("The year 1999 had 365 days and 52 weeks.")]
    public void Private_addresses_and_ordinary_numbers_stay(string text) => Assert.Equal(text, stage.Scrub(text));

    [Fact]
    public void Private_key_blocks_are_removed_whole()
    {
        string text = "before\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc\n-----END RSA PRIVATE KEY-----\nafter";
        Assert.Equal("before\n<SECRET>\nafter", stage.Scrub(text));
    }

    [Fact]
    public void An_encrypted_key_whose_headers_have_dashes_is_removed_whole_and_a_begin_without_end_stays()
    {
        string encrypted = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,3F17F5316E2BAC89\n\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----";
        Assert.Equal("a <SECRET> b", stage.Scrub($"a {encrypted} b"));
        string unclosed = "-----BEGIN PRIVATE KEY-----\nMIIEow\n-----BEGIN PRIVATE KEY-----\nabc";
        Assert.Equal(unclosed, stage.Scrub(unclosed));
    }

    // Texts built to make a backtracking pattern rescan the rest of the text from every position: each took time
    // quadratic in its length (the 1 MB e-mail run took 19.6 s). Four times the text therefore takes sixteen times as
    // long there, four times with bounded patterns. Each length's best of three runs (after a warm-up that builds the
    // patterns) keeps a busy machine's pauses out of the ratio.
    [Theory]
    [InlineData("a.", " x@y")]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\n", "")]
    [InlineData("a@b.", "")]
    public void A_megabyte_of_text_built_against_the_patterns_is_scrubbed_in_linear_time(string unit, string tail)
    {
        string Text(int characters) => string.Concat(Enumerable.Repeat(unit, characters / unit.Length)) + tail;
        double BestSeconds(string text) => Enumerable.Range(0, 3).Min(_ =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            stage.Scrub(text);
            return clock.Elapsed.TotalSeconds;
        });
        stage.Scrub(Text(1 << 12));
        double quarter = BestSeconds(Text(1 << 18)), whole = BestSeconds(Text(1 << 20));
        Assert.True(whole < 10 * Math.Max(quarter, 0.002),
            $"{whole:0.000} s for 1 MiB of \"{unit}\" against {quarter:0.000} s for a quarter of it: not linear");
    }
}
