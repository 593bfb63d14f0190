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
}
