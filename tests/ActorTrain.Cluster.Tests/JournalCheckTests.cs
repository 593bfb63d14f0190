using ActorTrain.Cluster.Persistence;
using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Cluster.Tests;

[Collection(PostgresCollection.Name)]
public sealed class JournalCheckTests(PostgresFixture postgres) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TemporaryDirectory scratch = new("actortrain-check-");

    public void Dispose() => scratch.Dispose();

    [Fact]
    public async Task Sqlite_journal_passes_a_write_and_read()
    {
        var result = await JournalCheck.RunAsync(new SqliteJournal(scratch.Combine("check.db")), Timeout);
        Assert.True(result.Ok, result.Error);
        Assert.Equal("sqlite", result.Backend);
    }

    [PostgresFact]
    public async Task Postgres_journal_passes_a_write_and_read()
    {
        var target = PostgresJournal.FromConnectionString(await postgres.NewDatabaseAsync());
        var result = await JournalCheck.RunAsync(target, Timeout);
        Assert.True(result.Ok, result.Error);
        Assert.Equal("postgres", result.Backend);
    }

    [Fact]
    public async Task Unreachable_postgres_fails_with_a_sentence_naming_the_server()
    {
        var result = await JournalCheck.RunAsync(JournalTarget.Parse("postgres:Host=127.0.0.1;Port=1"), Timeout);
        Assert.False(result.Ok);
        Assert.StartsWith("cannot connect to PostgreSQL at 127.0.0.1:1: ", result.Error);
        Assert.Contains("refused", result.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Sqlite_file_that_cannot_be_created_fails_with_its_path()
    {
        // A regular file where a directory is needed: creating the database below it must fail.
        string blocker = scratch.Combine("not-a-directory");
        await File.WriteAllTextAsync(blocker, "");
        var result = await JournalCheck.RunAsync(new SqliteJournal(Path.Combine(blocker, "check.db")), Timeout);
        Assert.False(result.Ok);
        Assert.Contains($"cannot open SQLite database {blocker}/check.db", result.Error);
    }
}
