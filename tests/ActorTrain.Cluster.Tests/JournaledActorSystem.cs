using ActorTrain.Cluster.Configuration;
using ActorTrain.Cluster.Persistence;
using Akka.Actor;
using Akka.Configuration;

namespace ActorTrain.Cluster.Tests;

/// <summary>An ActorSystem with ActorTrain's base configuration (our serializer) journaling to
/// <paramref name="journal"/>; terminated on dispose. Two in a row over one journal = a restart.</summary>
internal sealed class JournaledActorSystem(JournalTarget journal) : IAsyncDisposable
{
    public ActorSystem System { get; } = Create(journal);

    public async ValueTask DisposeAsync() => await System.Terminate();

    private static ActorSystem Create(JournalTarget journal)
    {
        PersistenceConfig.Prepare(journal);
        return ActorSystem.Create("journaled", ConfigurationFactory.ParseString("akka.loglevel = WARNING")
            .WithFallback(PersistenceConfig.For(journal))
            .WithFallback(EmbeddedHocon.Load(EmbeddedHocon.Base)));
    }
}
