using Microsoft.Data.Sqlite;
using Npgsql;

namespace ActorTrain.Cluster.Persistence;

/// <summary>
/// The database persistent actors journal to: a SQLite file or a PostgreSQL server.
/// Written on the command line as <c>sqlite:PATH</c> or <c>postgres:CONNECTION_STRING</c>.
/// </summary>
public abstract record JournalTarget
{
    /// <summary>"sqlite" or "postgres", as in actortrain.persistence.backend.</summary>
    public abstract string Backend { get; }

    /// <summary>The ADO.NET connection string handed to Akka.Persistence.Sql.</summary>
    public abstract string ConnectionString { get; }

    /// <summary>Where the journal is, safe to print: passwords are masked.</summary>
    public abstract string Describe();

    /// <summary>Parses "sqlite:PATH" or "postgres:CONNECTION_STRING".</summary>
    /// <exception cref="ArgumentException">The text names no known backend or its part after the colon is invalid.</exception>
    public static JournalTarget Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int colon = text.IndexOf(':');
        string backend = colon < 0 ? text : text[..colon];
        string rest = colon < 0 ? "" : text[(colon + 1)..];
        return backend switch
        {
            "sqlite" when rest.Length > 0 => new SqliteJournal(Path.GetFullPath(rest)),
            "sqlite" => throw new ArgumentException("'sqlite:' needs a database file path, e.g. sqlite:/var/lib/actortrain/actortrain.db"),
            "postgres" or "postgresql" => PostgresJournal.FromConnectionString(rest),
            _ => throw new ArgumentException(
                $"'{backend}{(colon < 0 ? "" : ":...")}' names no journal: expected sqlite:PATH or postgres:CONNECTION_STRING (e.g. postgres:Host=127.0.0.1;Port=5432;Username=actortrain)"),
        };
    }
}

public sealed record SqliteJournal(string Path) : JournalTarget
{
    public override string Backend => "sqlite";

    public override string ConnectionString => new SqliteConnectionStringBuilder { DataSource = Path }.ToString();

    public override string Describe() => $"sqlite:{Path}";
}

public sealed record PostgresJournal : JournalTarget
{
    private PostgresJournal(NpgsqlConnectionStringBuilder builder) => Builder = builder;

    private NpgsqlConnectionStringBuilder Builder { get; }

    public override string Backend => "postgres";

    public override string ConnectionString => Builder.ConnectionString;

    public string Host => Builder.Host ?? "localhost";

    public int Port => Builder.Port;

    public override string Describe()
    {
        var masked = new NpgsqlConnectionStringBuilder(Builder.ConnectionString);
        if (!string.IsNullOrEmpty(masked.Password)) masked.Password = "***";
        return $"postgres:{masked.ConnectionString}";
    }

    public static PostgresJournal FromConnectionString(string connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new ArgumentException("'postgres:' needs a connection string, e.g. postgres:Host=127.0.0.1;Port=5432;Username=actortrain;Database=actortrain");
        // postgres://user:password@host/db: Npgsql takes no URLs, and its parts are not keys (the password least of all).
        if (connectionString.StartsWith("//", StringComparison.Ordinal))
            throw new ArgumentException("a postgres:// URL is not taken; give key=value pairs, e.g. postgres:Host=db.example;Port=5432;Username=actortrain;Password=...;Database=actortrain");
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrEmpty(builder.Host))
                throw new ArgumentException("it has no Host");
            return new PostgresJournal(builder);
        }
        catch (ArgumentException e)
        {
            // Its keys, not its values: the text may hold a password. Only keys Npgsql knows are named: any other part may be
            // a piece of a password cut at an unquoted ';' ("Password=a;b=c" gives a key 'b'), so it is shown as '?', and
            // Npgsql's own message, which quotes such a key, is then left out.
            var known = new NpgsqlConnectionStringBuilder();
            var parts = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(part => part.IndexOf('=') is > 0 and int equals && part[..equals].Trim() is { } key && known.ContainsKey(key) ? key : "?")
                .ToArray();
            string reason = parts.Contains("?")
                ? "a part is not key=value with a key Npgsql knows (shown as '?': check its spelling; a value holding ';' must be quoted)"
                : e.Message;
            throw new ArgumentException($"PostgreSQL connection string (keys {string.Join(", ", parts)}) is invalid: {reason}", e);
        }
    }

    // Records compare members; the builder has reference equality, so compare its text instead.
    public bool Equals(PostgresJournal? other) => other is not null && ConnectionString == other.ConnectionString;

    public override int GetHashCode() => ConnectionString.GetHashCode(StringComparison.Ordinal);
}
