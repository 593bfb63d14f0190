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
    /// <param name="resendOn">News after which a question may reach where it could not (<see cref="MemberRemovals.Next"/>):
    /// the attempt is sent again once the regions have caught up, the earlier one still in the race.</param>
    /// <exception cref="AskTimeoutException">No attempt was answered before <paramref name="deadline"/>.</exception>
    public static async Task<T> UntilAsync<T>(Func<TimeSpan, Task<T>> ask, TimeSpan deadline, TimeSpan first, TimeSpan longest, Func<Task>? resendOn = null)
    {
        var end = DateTime.UtcNow + deadline;
        var patience = first;
        TimeSpan Patience()
        {
            var left = end - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new AskTimeoutException($"Timeout after {deadline.TotalSeconds:0} seconds");
            return left < patience ? left : patience;
        }
        while (true)
        {
            var news = resendOn?.Invoke() ?? Never;
            var attempt = ask(Patience());
            while (await Task.WhenAny(attempt, news) == news)
            {
                news = resendOn!();
                await Task.Delay(RegionsCatchUp);
                attempt = FirstAnswer(attempt, ask(Patience()));
            }
            try
            {
                return await attempt;
            }
            catch (AskTimeoutException)
            {
                patience = patience * 2 < longest ? patience * 2 : longest;
            }
        }
    }

    // A region learns of a removed member from the same news, and its coordinator must record the move: a moment.
    private static readonly TimeSpan RegionsCatchUp = TimeSpan.FromSeconds(1);
    private static readonly Task Never = new TaskCompletionSource().Task;

    private static async Task<T> FirstAnswer<T>(Task<T> earlier, Task<T> later)
    {
        var first = await Task.WhenAny(earlier, later);
        return first.IsCompletedSuccessfully ? first.Result : await (first == earlier ? later : earlier);
    }
}
