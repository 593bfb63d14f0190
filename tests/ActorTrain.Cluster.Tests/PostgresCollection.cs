using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Cluster.Tests;

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "private PostgreSQL";
}
