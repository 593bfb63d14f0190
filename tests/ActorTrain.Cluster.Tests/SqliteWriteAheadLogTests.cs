using ActorTrain.Cluster.Persistence;
using ActorTrain.Testing;
using Microsoft.Data.Sqlite;
using Xunit;

namespace ActorTrain.Cluster.Tests;

public sealed class SqliteWriteAheadLogTests : IDisposable
{
    private readonly TemporaryDirectory scratch = new("actortrain-wal-");

    public void Dispose() => scratch.Dispose();

    [Fact]
    public async Task A_journal_checked_through_the_plugin_is_in_wal_mode_and_syncs_every_commit()
    {
        string path = scratch.Combine("journal.db");
        var result = await JournalCheck.RunAsync(new SqliteJournal(path), TimeSpan.FromSeconds(30));
        Assert.True(result.Ok, result.Error);
        using var connection = Open(path);
        Assert.Equal("wal", Scalar(connection, "PRAGMA journal_mode"));
        // FULL (2): the log is synced at each commit, so an acknowledged event survives a power cut as it did before.
        Assert.Equal(2L, Scalar(connection, "PRAGMA synchronous"));
    }

    [Fact]
    public void A_journal_in_the_old_rollback_mode_is_switched_and_keeps_its_rows()
    {
        string path = scratch.Combine("old.db");
        using (var connection = Open(path))
        {
            Scalar(connection, "PRAGMA journal_mode = DELETE");
            Scalar(connection, "CREATE TABLE events (id INTEGER PRIMARY KEY, payload TEXT)");
            Scalar(connection, "INSERT INTO events (payload) VALUES ('kept')");
        }
        PersistenceConfig.Prepare(new SqliteJournal(path));
        using var reopened = Open(path);
        Assert.Equal("wal", Scalar(reopened, "PRAGMA journal_mode"));
        Assert.Equal("kept", Scalar(reopened, "SELECT payload FROM events"));
    }

    [Fact]
    public void A_file_that_cannot_be_created_is_named()
    {
        // procfs takes no new files, whoever asks (root ignores file modes, so a read-only directory would not fail here).
        var error = Assert.Throws<JournalUnavailableException>(() => SqliteWriteAheadLog.Enable("/proc/actortrain-journal.db"));
        Assert.StartsWith("cannot open SQLite database /proc/actortrain-journal.db: ", error.Message);
    }

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
