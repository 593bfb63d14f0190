using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace ActorTrain.Cluster.Persistence;

/// <summary>
/// The names of every entity of one kind that ever journaled an event — training runs, ingest jobs — read from
/// the journal, not from the shard regions: a finished run or job is passivated and no longer remembered, and
/// only the journal still knows it. Persistence ids are the kind's prefix and the name (<c>training-run-NAME</c>).
/// </summary>
public static class JournaledNames
{
    /// <summary>Names whose persistence id starts with <paramref name="prefix"/>, ordinally sorted.</summary>
    public static async Task<IReadOnlyList<string>> ListAsync(ActorSystem system, string prefix, CancellationToken cancellationToken = default)
    {
        var journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        var ids = await journal.CurrentPersistenceIds()
            .Where(id => id.StartsWith(prefix, StringComparison.Ordinal))
            .RunWith(Sink.Seq<string>(), system.Materializer()).WaitAsync(cancellationToken);
        return [.. ids.Select(id => id[prefix.Length..]).Order(StringComparer.Ordinal)];
    }
}
