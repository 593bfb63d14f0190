using ActorTrain.Cluster.Configuration;
using Akka.Configuration;

namespace ActorTrain.Cluster.Persistence;

/// <summary>Reads actortrain.persistence into the journal a node uses.</summary>
public static class PersistenceSettings
{
    /// <exception cref="ArgumentException">The backend is unknown or its required key is empty.</exception>
    public static JournalTarget JournalFrom(Config config)
    {
        string backend = config.GetString("actortrain.persistence.backend", "sqlite");
        switch (backend)
        {
            case "sqlite":
                string path = config.GetString("actortrain.persistence.sqlite.path", "");
                if (string.IsNullOrWhiteSpace(path))
                    path = Path.Combine(NodeDataDirectory.Resolve(config), "actortrain.db");
                return new SqliteJournal(Path.GetFullPath(path));
            case "postgres":
                string connectionString = config.GetString("actortrain.persistence.postgres.connection-string", "");
                if (string.IsNullOrWhiteSpace(connectionString))
                    throw new ArgumentException("actortrain.persistence.backend = postgres needs actortrain.persistence.postgres.connection-string");
                return PostgresJournal.FromConnectionString(connectionString);
            default:
                throw new ArgumentException($"actortrain.persistence.backend = '{backend}' is not a backend: expected sqlite or postgres");
        }
    }
}
