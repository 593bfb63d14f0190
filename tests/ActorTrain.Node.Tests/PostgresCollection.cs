using ActorTrain.Testing;
using Xunit;

namespace ActorTrain.Node.Tests;

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "private PostgreSQL";
}
