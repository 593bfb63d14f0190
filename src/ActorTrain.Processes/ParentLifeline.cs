namespace ActorTrain.Processes;

/// <summary>
/// Ties a child process's life to its parent's through the child's standard input: the parent redirects it and never
/// writes. When the parent dies, for whatever reason (SIGKILL included, which no handler of its own sees), the kernel
/// closes the pipe's other end and the child reads end of file. (Linux's PR_SET_PDEATHSIG would reach the direct child
/// only, and fires when the parent's forking thread ends rather than the parent.)
/// </summary>
public static class ParentLifeline
{
    /// <summary>The child's side: completes once standard input ends (the parent is gone, or closed it).</summary>
    public static Task WhenParentGone()
    {
        var gone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = new Thread(() =>
        {
            try
            {
                using var input = Console.OpenStandardInput();
                var buffer = new byte[256];
                while (input.Read(buffer) > 0) { } // the parent writes nothing; anything written is ignored
            }
            catch (IOException)
            {
                // A broken pipe is the same news as its end.
            }
            gone.TrySetResult();
        })
        {
            IsBackground = true,
            Name = "parent-lifeline",
        };
        reader.Start();
        return gone.Task;
    }
}
