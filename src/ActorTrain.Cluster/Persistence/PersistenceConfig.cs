using ActorTrain.Cluster.Configuration;
using Akka.Configuration;
using Akka.Persistence.Sql;

namespace ActorTrain.Cluster.Persistence;

/// <summary>The Akka configuration that puts journal and snapshot store on a <see cref="JournalTarget"/>.</summary>
public static class PersistenceConfig
{
    public static Config For(JournalTarget target)
    {
        string profile = target switch
        {
            SqliteJournal => EmbeddedHocon.PersistenceSqlite,
            PostgresJournal => EmbeddedHocon.PersistencePostgres,
            _ => throw new ArgumentOutOfRangeException(nameof(target), target, "unknown journal backend"),
        };
        string connection = EmbeddedHocon.Quote(target.ConnectionString);
        return ConfigurationFactory.ParseString($"""
                akka.persistence.journal.sql.connection-string = {connection}
                akka.persistence.snapshot-store.sql.connection-string = {connection}
                akka.persistence.query.journal.sql.connection-string = {connection}
                """)
            .WithFallback(EmbeddedHocon.Load(profile))
            .WithFallback(SqlPersistence.DefaultConfiguration);
    }

    /// <summary>Creates what must exist before the plugin connects: the SQLite file's directory, and the file itself in
    /// write-ahead-log mode (<see cref="SqliteWriteAheadLog"/>).</summary>
    /// <exception cref="InvalidDataException">The SQLite path holds something that is not a SQLite database. SQLite opens
    /// any file and fails only at the first query, where the plugin retried it every second for ever, a stack trace each time.</exception>
    /// <exception cref="JournalUnavailableException">The SQLite file cannot be opened for writing.</exception>
    public static void Prepare(JournalTarget target)
    {
        if (target is SqliteJournal sqlite)
        {
            string? directory = Path.GetDirectoryName(sqlite.Path);
            if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
            if (Directory.Exists(sqlite.Path)) throw new InvalidDataException($"journal sqlite:{sqlite.Path} is a directory, not a SQLite database file");
            if (!IsSqliteOrEmpty(sqlite.Path))
                throw new InvalidDataException($"journal sqlite:{sqlite.Path} is not a SQLite database (it does not start with \"SQLite format 3\"); " +
                                               "give another path, which is created, or the journal's own file");
            SqliteWriteAheadLog.Enable(sqlite.Path);
        }
    }

    // A SQLite database file starts with these 16 bytes; an empty or missing file becomes one.
    private static bool IsSqliteOrEmpty(string path)
    {
        if (!File.Exists(path)) return true;
        using var file = File.OpenRead(path);
        if (file.Length == 0) return true;
        Span<byte> header = stackalloc byte[16];
        return file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) == header.Length && header.SequenceEqual("SQLite format 3\0"u8);
    }
}
