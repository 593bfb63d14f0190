namespace ActorTrain.Node;

/// <summary>
/// The line a failed command ends with. Akka and DotNetty wrap a failure to bind a port in several AggregateExceptions
/// whose messages repeat "One or more errors occurred." around the one that says something, which itself defers to its
/// inner exception ("Failed to bind to [127.0.0.1:4053]. See InnerException for details."): the line is that message
/// and the inner one's, once each.
/// </summary>
public static class FailureMessage
{
    private const string SeeInner = " See InnerException for details.";

    public static string Of(Exception exception)
    {
        while (exception is AggregateException { InnerExceptions.Count: 1 } aggregate) exception = aggregate.InnerExceptions[0];
        if (exception.InnerException is { } inner && exception.Message.EndsWith(SeeInner, StringComparison.Ordinal))
            return $"{exception.Message[..^SeeInner.Length].TrimEnd('.')}: {Of(inner)}";
        return exception.Message;
    }
}
