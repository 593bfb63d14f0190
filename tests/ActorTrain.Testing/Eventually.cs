namespace ActorTrain.Testing;

/// <summary>Waits for a condition that becomes true asynchronously (what Akka.TestKit's AwaitAssert
/// does, for code outside a TestKit): polls, and fails with the last observation at the deadline.</summary>
public static class Eventually
{
    public static async Task<T> Until<T>(Func<Task<T>> observe, Func<T, bool> done, TimeSpan timeout, string what, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        T last = await observe();
        while (!done(last))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what} did not happen within {timeout.TotalSeconds:0}s; last seen: {last}");
            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(20));
            last = await observe();
        }
        return last;
    }
}
