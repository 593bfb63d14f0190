using Microsoft.Data.Sqlite;

namespace ActorTrain.Cluster.Persistence;

/// <summary>
/// Puts a SQLite journal file in write-ahead-log mode (SQLite keeps the mode in the file, so once is enough). A commit
/// then appends to one log and syncs it once, where the default rollback journal creates, syncs and deletes a journal
/// file besides syncing the database: a sharded ingest journals a batch of dedup claims per bucket per chunk, and those
/// commits took 1.3-1.5 s of a 5.3 s job on 40 MB, 0.5-0.8 s in this mode (cleaning benchmark, one shard). Readers (the
/// query side, `info`) no longer block the writer either. Durability is unchanged: synchronous stays FULL, the log is
/// synced at every commit.
/// </summary>
public static class SqliteWriteAheadLog
{
    /// <summary>Where WAL cannot work (a file system without shared memory) SQLite keeps the mode the file had: still a
    /// correct journal, only a slower one.</summary>
    /// <exception cref="JournalUnavailableException">The file cannot be opened for writing.</exception>
    public static void Enable(string path)
    {
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
                { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode = WAL";
            command.ExecuteScalar();
        }
        catch (SqliteException e)
        {
            throw new JournalUnavailableException($"cannot open SQLite database {path}: {e.Message.TrimEnd('.')}", e);
        }
    }
}
