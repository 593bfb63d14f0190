using ActorTrain.Processes;
using Xunit;

namespace ActorTrain.Testing;

/// <summary>
/// One private PostgreSQL shared by the tests of a collection, started where the binaries exist.
/// Where they do not, <see cref="PostgresFactAttribute"/> skips the tests that need it, except under
/// CI=true: there those tests run and fail on <see cref="Server"/>, and only those tests.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PrivatePostgres? server;
    private int databases;

    public PrivatePostgres Server => server ?? throw new InvalidOperationException(
        $"no private PostgreSQL could be started: {PrivatePostgres.UnavailableReason}");

    /// <summary>A fresh database for one test.</summary>
    public Task<string> NewDatabaseAsync() => Server.CreateDatabaseAsync($"test_{Interlocked.Increment(ref databases)}");

    public async Task InitializeAsync()
    {
        if (PrivatePostgres.UnavailableReason is null) server = await PrivatePostgres.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (server is not null) await server.DisposeAsync();
    }
}
