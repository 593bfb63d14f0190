using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;

namespace ActorTrain.Cluster.Persistence;

/// <summary>What <see cref="JournalCheck"/> found.</summary>
public sealed record JournalCheckResult(string Backend, string Target, bool Ok, TimeSpan Elapsed, string? Error);

/// <summary>
/// Checks a journal with a real write and read through Akka.Persistence: connect, persist an event,
/// replay it in a new incarnation of the actor, delete it. Used by `actortrain info`.
/// </summary>
public static class JournalCheck
{
    public static async Task<JournalCheckResult> RunAsync(JournalTarget target, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await JournalConnectivity.EnsureReachableAsync(target, deadline.Token);
            await RoundTripAsync(target, deadline.Token);
            return new JournalCheckResult(target.Backend, target.Describe(), true, clock.Elapsed, null);
        }
        catch (JournalUnavailableException e)
        {
            return Failed(e.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed($"the journal did not complete a write and read within {timeout.TotalSeconds:0}s");
        }
        catch (JournalRoundTripException e)
        {
            return Failed(e.Message);
        }

        JournalCheckResult Failed(string error) => new(target.Backend, target.Describe(), false, clock.Elapsed, error);
    }

    private static async Task RoundTripAsync(JournalTarget target, CancellationToken cancellationToken)
    {
        var config = ConfigurationFactory.ParseString("akka.loglevel = ERROR\nakka.stdout-loglevel = ERROR")
            .WithFallback(PersistenceConfig.For(target));
        var system = ActorSystem.Create("journal-check", config);
        try
        {
            var failure = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
            string persistenceId = $"journal-check-{Guid.NewGuid():N}";
            string marker = $"written at {DateTimeOffset.UtcNow:O}";

            var writer = system.ActorOf(JournalProbe.Props(persistenceId, e => failure.TrySetResult(e)));
            await Step(writer.Ask<JournalProbe.Written>(new JournalProbe.Write(marker), cancellationToken), failure, "write");
            await writer.GracefulStop(TimeSpan.FromSeconds(5));

            var reader = system.ActorOf(JournalProbe.Props(persistenceId, e => failure.TrySetResult(e)));
            var replayed = await Step(reader.Ask<JournalProbe.Replayed>(JournalProbe.ReadBack.Instance, cancellationToken), failure, "read");
            if (!replayed.Markers.SequenceEqual([marker]))
                throw new JournalRoundTripException($"the journal replayed [{string.Join(", ", replayed.Markers)}] instead of the one event written");
            await Step(reader.Ask<JournalProbe.Erased>(JournalProbe.Erase.Instance, cancellationToken), failure, "delete");
        }
        finally
        {
            await system.Terminate();
        }
    }

    private static async Task<T> Step<T>(Task<T> step, TaskCompletionSource<Exception> failure, string what)
    {
        var first = await Task.WhenAny(step, failure.Task);
        if (first == failure.Task)
            throw new JournalRoundTripException($"journal {what} failed: {failure.Task.Result.Message}");
        return await step;
    }
}

internal sealed class JournalRoundTripException(string message) : Exception(message);
