using Xunit;

namespace ActorTrain.Testing;

/// <summary>
/// One private PostgreSQL shared by the tests of a collection. Started only where it can be (or
/// under CI, where not starting is a failure); elsewhere its tests are skipped by
/// <see cref="PostgresFactAttribute"/> and <see cref="Server"/> is never read.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PrivatePostgres? server;
    private int databases;

    public PrivatePostgres Server => server ?? throw new InvalidOperationException(
        $"no private PostgreSQL was started: {PrivatePostgres.UnavailableReason}");

    /// <summary>A fresh database for one test.</summary>
    public Task<string> NewDatabaseAsync() => Server.CreateDatabaseAsync($"test_{Interlocked.Increment(ref databases)}");

    public async Task InitializeAsync()
    {
        if (PrivatePostgres.UnavailableReason is null || ContinuousIntegration.IsRunning)
            server = await PrivatePostgres.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (server is not null) await server.DisposeAsync();
    }
}
