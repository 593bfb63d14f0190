using Akka.Actor;
using Xunit;

namespace ActorTrain.Cluster.Tests;

public sealed class RepeatedAskTests : IAsyncLifetime
{
    private readonly ActorSystem system = ActorSystem.Create("repeated-ask", "akka.loglevel = OFF");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => system.Terminate();

    [Fact]
    public async Task A_question_lost_twice_is_answered_at_the_third_attempt()
    {
        var forgetful = system.ActorOf(Props.Create(() => new Forgetful(lose: 2)));
        var attempts = new List<TimeSpan>();
        string answer = await RepeatedAsk.UntilAsync(patience =>
        {
            attempts.Add(patience);
            return forgetful.Ask<string>("question", patience);
        }, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3));
        // Patience doubles up to its cap; the third attempt's 3 s are far more than an answer takes on a busy machine.
        Assert.Equal("answer 3", answer);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3)], attempts);
    }

    [Fact]
    public async Task A_question_never_answered_fails_at_the_deadline_not_before()
    {
        var silent = system.ActorOf(Props.Create(() => new Forgetful(lose: int.MaxValue)));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<AskTimeoutException>(() => RepeatedAsk.UntilAsync(
            patience => silent.Ask<string>("question", patience), TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300)));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
        Assert.Contains("1 seconds", error.Message);
    }

    [Fact]
    public async Task A_question_lost_with_a_node_is_asked_again_once_the_cluster_removes_a_member_not_after_its_patience()
    {
        var forgetful = system.ActorOf(Props.Create(() => new Forgetful(lose: 1)));
        var removed = new TaskCompletionSource();
        _ = Task.Delay(200).ContinueWith(_ => removed.TrySetResult(), TaskScheduler.Default);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string answer = await RepeatedAsk.UntilAsync(patience => forgetful.Ask<string>("question", patience),
            TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(20), () => removed.Task);
        Assert.Equal("answer 2", answer);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10)); // after the regions' moment, long before 20 s
    }

    [Fact]
    public async Task An_attempt_sent_again_on_news_still_races_the_earlier_one_which_may_answer_first()
    {
        var slow = system.ActorOf(Props.Create(() => new Slow(TimeSpan.FromMilliseconds(1500))));
        int heard = 0;
        Task NewsOnce() => Interlocked.Increment(ref heard) == 1 ? Task.CompletedTask : new TaskCompletionSource().Task;
        string answer = await RepeatedAsk.UntilAsync(patience => slow.Ask<string>("question", patience),
            TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), NewsOnce);
        Assert.Equal("answer 1", answer); // the earlier attempt's answer came first...
        Assert.Equal(2, await slow.Ask<int>(Slow.HowMany, TimeSpan.FromSeconds(5))); // ...though the question went twice
    }

    // Answers every question, each after the same delay.
    private sealed class Slow : ReceiveActor
    {
        public const string HowMany = "how many questions?";

        public Slow(TimeSpan delay)
        {
            int heard = 0;
            Receive<string>(question => question == HowMany, _ => Sender.Tell(heard));
            Receive<string>(_ =>
            {
                var asker = Sender;
                string answer = $"answer {++heard}";
                Task.Delay(delay).ContinueWith(_ => asker.Tell(answer), TaskScheduler.Default);
            });
        }
    }

    // Drops the first questions it gets, as a node that died with them would; answers the later ones.
    private sealed class Forgetful : ReceiveActor
    {
        public Forgetful(int lose)
        {
            int heard = 0;
            Receive<string>(_ =>
            {
                if (++heard > lose) Sender.Tell($"answer {heard}");
            });
        }
    }
}
