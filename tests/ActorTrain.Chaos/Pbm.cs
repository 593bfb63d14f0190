using ActorTrain.Cmd.Client;

namespace ActorTrain.Chaos;

/// <summary>`pbm` run in this process against a node's command host, as an operator would type it.</summary>
public static class Pbm
{
    /// <returns>The exit code, and what it printed on standard output and standard error.</returns>
    public static async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        int code = await PbmApp.RunAsync(args, new StringReader(""), output, errors, CancellationToken.None);
        return (code, output.ToString() + errors);
    }
}
