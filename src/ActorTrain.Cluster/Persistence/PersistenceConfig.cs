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

    /// <summary>Creates what must exist before the plugin connects: the SQLite file's directory.</summary>
    public static void Prepare(JournalTarget target)
    {
        if (target is SqliteJournal sqlite)
        {
            string? directory = Path.GetDirectoryName(sqlite.Path);
            if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        }
    }
}
