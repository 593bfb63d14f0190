using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ActorTrain.Cluster.Persistence;

/// <summary>
/// Opens one plain connection to the journal database before any actor does, so an unreachable
/// server or an unwritable file is reported in one sentence instead of as a journal plugin's
/// restart loop.
/// </summary>
public static class JournalConnectivity
{
    /// <exception cref="JournalUnavailableException">The database cannot be opened.</exception>
    public static async Task EnsureReachableAsync(JournalTarget target, CancellationToken cancellationToken)
    {
        try
        {
            switch (target)
            {
                case SqliteJournal sqlite:
                    PersistenceConfig.Prepare(target);
                    await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder
                                 { DataSource = sqlite.Path, Mode = SqliteOpenMode.ReadWriteCreate }.ToString()))
                    {
                        await connection.OpenAsync(cancellationToken);
                    }
                    break;
                case PostgresJournal postgres:
                    var builder = new NpgsqlConnectionStringBuilder(postgres.ConnectionString);
                    if (builder.Timeout > 10) builder.Timeout = 10; // seconds: fail fast on a dead host
                    await using (var connection = new NpgsqlConnection(builder.ConnectionString))
                    {
                        await connection.OpenAsync(cancellationToken);
                    }
                    break;
            }
        }
        catch (Exception e) when (e is not JournalUnavailableException && (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            throw new JournalUnavailableException(Explain(target, e), e);
        }
    }

    private static string Explain(JournalTarget target, Exception error) => target switch
    {
        PostgresJournal pg => $"cannot connect to PostgreSQL at {pg.Host}:{pg.Port}: {Reason(error)}",
        SqliteJournal sqlite => $"cannot open SQLite database {sqlite.Path}: {Reason(error)}",
        _ => Reason(error),
    };

    // The outermost message plus the innermost cause (e.g. "Connection refused").
    private static string Reason(Exception error)
    {
        Exception root = error;
        while (root.InnerException is not null) root = root.InnerException;
        string reason = error.Message.TrimEnd('.');
        return root == error || reason.Contains(root.Message, StringComparison.Ordinal)
            ? reason
            : $"{reason} ({(root is SocketException socket ? socket.SocketErrorCode + ": " : "")}{root.Message.TrimEnd('.')})";
    }
}

/// <summary>The configured journal database cannot be reached or opened.</summary>
public sealed class JournalUnavailableException(string message, Exception inner) : Exception(message, inner);
