using Akka.Actor;

namespace ActorTrain.Cluster;

/// <summary>
/// An ask sent again, with growing patience, until it is answered or its deadline passes; for idempotent
/// questions only. A message to a sharded entity whose node just died is lost without a word (the region sends
/// it to the old home until that node is downed), and so is a message a cluster client's receptionist cannot
/// route yet; a single ask waits its whole deadline for either. Sent again, it reaches the entity wherever it
/// was started anew. A reply that comes after its attempt gave up is dropped; a later attempt's is not.
/// </summary>
public static class RepeatedAsk
{
    /// <summary>An idempotent question to a sharded entity (an operator's status question, a start that a second
    /// time answers with the state), asked again after 3 s, then less often, until answered or <paramref name="deadline"/>.</summary>
    /// <exception cref="AskTimeoutException">No attempt was answered before <paramref name="deadline"/>.</exception>
    public static Task<T> AskRepeatedlyAsync<T>(this IActorRef entities, object question, TimeSpan deadline, CancellationToken cancellationToken = default) =>
        UntilAsync(patience => entities.Ask<T>(question, patience, cancellationToken), deadline, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10));

    /// <param name="ask">One attempt, given how long it may wait.</param>
    /// <param name="first">The first attempt's patience; each next one doubles it, up to <paramref name="longest"/>.</param>
    /// <exception cref="AskTimeoutException">No attempt was answered before <paramref name="deadline"/>.</exception>
    public static async Task<T> UntilAsync<T>(Func<TimeSpan, Task<T>> ask, TimeSpan deadline, TimeSpan first, TimeSpan longest)
    {
        var end = DateTime.UtcNow + deadline;
        var patience = first;
        while (true)
        {
            var left = end - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new AskTimeoutException($"Timeout after {deadline.TotalSeconds:0} seconds");
            try
            {
                return await ask(left < patience ? left : patience);
            }
            catch (AskTimeoutException)
            {
                patience = patience * 2 < longest ? patience * 2 : longest;
            }
        }
    }
}
