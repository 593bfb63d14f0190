using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;

namespace ActorTrain.Cmd.Palettes.Builtin;

/// <summary>The node's last log lines, for `pbm log peek`. Filled by <see cref="RecentLogsLogger"/>
/// (add it to akka.loggers) or, on a node, by its Serilog sink; holds <see cref="Capacity"/> lines at most.</summary>
public sealed class RecentLogs : IExtension
{
    public const int Capacity = 2000;
    private readonly Queue<string> lines = new();

    public static RecentLogs For(ActorSystem system) => system.WithExtension<RecentLogs, RecentLogsProvider>();

    /// <summary>Makes <paramref name="recent"/>, filled from before the system started (a Serilog sink),
    /// the one <see cref="For"/> returns.</summary>
    public static void Attach(ActorSystem system, RecentLogs recent) => system.RegisterExtension(new RecentLogsProvider(recent));

    public void Add(string line)
    {
        lock (lines)
        {
            lines.Enqueue(line);
            while (lines.Count > Capacity) lines.Dequeue();
        }
    }

    public IReadOnlyList<string> Last(int count)
    {
        lock (lines) return [.. lines.Skip(Math.Max(0, lines.Count - count))];
    }
}

public sealed class RecentLogsProvider(RecentLogs? existing) : ExtensionIdProvider<RecentLogs>
{
    public RecentLogsProvider() : this(null)
    {
    }

    public override RecentLogs CreateExtension(ExtendedActorSystem system) => existing ?? new();
}

/// <summary>An Akka logger that keeps each log event's line in <see cref="RecentLogs"/>.</summary>
public sealed class RecentLogsLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    public RecentLogsLogger()
    {
        var recent = RecentLogs.For(Context.System);
        Receive<LogEvent>(e => recent.Add($"[{e.LogLevel().ToString().Replace("Level", "").ToUpperInvariant()}][{e.Timestamp:O}][{e.LogSource}] {e.Message}"));
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
    }
}
