using ActorTrain.Cluster.Persistence;
using Akka.Configuration;
using Xunit;

namespace ActorTrain.Cluster.Tests;

public sealed class JournalTargetTests
{
    [Fact]
    public void Sqlite_target_takes_the_path_after_the_colon_made_absolute()
    {
        var target = Assert.IsType<SqliteJournal>(JournalTarget.Parse("sqlite:data/journal.db"));
        Assert.Equal(Path.GetFullPath("data/journal.db"), target.Path);
        Assert.Contains("journal.db", target.ConnectionString);
    }

    [Fact]
    public void Postgres_target_keeps_host_and_port_and_masks_the_password_when_described()
    {
        var target = Assert.IsType<PostgresJournal>(JournalTarget.Parse("postgres:Host=db.local;Port=5433;Username=at;Password=hunter2"));
        Assert.Equal("db.local", target.Host);
        Assert.Equal(5433, target.Port);
        Assert.Contains("hunter2", target.ConnectionString);
        Assert.DoesNotContain("hunter2", target.Describe());
    }

    [Theory]
    [InlineData("mysql:Server=x", "names no journal")]
    [InlineData("sqlite:", "needs a database file path")]
    [InlineData("postgres:", "needs a connection string")]
    [InlineData("postgres:Hots=127.0.0.1", "is invalid")]
    [InlineData("journal.db", "names no journal")]
    public void Malformed_targets_are_rejected_with_what_was_wrong(string text, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => JournalTarget.Parse(text));
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("postgres:Host=db;Pasword=s3cret", "(keys Host, ?) is invalid: a part is not key=value with a key Npgsql knows")]
    [InlineData("postgres://u:s3cret@db/actortrain", "a postgres:// URL is not taken")]
    [InlineData("postgres:Host=db;Pasword=abc;s3cret", "(keys Host, ?, ?) is invalid")] // a password with a ; in it, unquoted
    [InlineData("postgres:Host=db;Password=abc;s3cret=x", "(keys Host, Password, ?) is invalid")] // ... whose second half looks like a pair
    [InlineData("postgress:Host=db;Password=s3cret", "'postgress:...' names no journal")]
    public void A_refused_target_is_named_without_the_secrets_it_holds(string text, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => JournalTarget.Parse(text));
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain("s3cret", error.Message);
    }

    [Fact]
    public void Settings_default_to_a_sqlite_file_in_the_node_data_directory()
    {
        var config = ConfigurationFactory.ParseString("actortrain.node.data-dir = \"/srv/node-1\"")
            .WithFallback(Configuration.EmbeddedHocon.Load(Configuration.EmbeddedHocon.Base));
        var target = Assert.IsType<SqliteJournal>(PersistenceSettings.JournalFrom(config));
        Assert.Equal("/srv/node-1/actortrain.db", target.Path);
    }

    [Fact]
    public void Settings_choose_postgres_by_backend_and_require_its_connection_string()
    {
        var fallback = Configuration.EmbeddedHocon.Load(Configuration.EmbeddedHocon.Base);
        var chosen = ConfigurationFactory.ParseString("""
            actortrain.persistence.backend = postgres
            actortrain.persistence.postgres.connection-string = "Host=pg;Port=5432"
            """).WithFallback(fallback);
        Assert.IsType<PostgresJournal>(PersistenceSettings.JournalFrom(chosen));

        var missing = ConfigurationFactory.ParseString("actortrain.persistence.backend = postgres").WithFallback(fallback);
        Assert.Contains("connection-string", Assert.Throws<ArgumentException>(() => PersistenceSettings.JournalFrom(missing)).Message);

        var unknown = ConfigurationFactory.ParseString("actortrain.persistence.backend = oracle").WithFallback(fallback);
        Assert.Contains("'oracle' is not a backend", Assert.Throws<ArgumentException>(() => PersistenceSettings.JournalFrom(unknown)).Message);
    }
}
