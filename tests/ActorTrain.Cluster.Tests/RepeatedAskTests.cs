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
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(250));
        Assert.Equal("answer 3", answer);
        Assert.Equal([TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(250)], attempts);
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
