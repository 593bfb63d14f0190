using ActorTrain.Cmd.Client;

namespace ActorTrain.Cmd.Tests;

/// <summary>`pbm` run in this process, its output and errors captured.</summary>
internal static class Pbm
{
    public sealed record Outcome(int ExitCode, string Output, string Errors);

    public static async Task<Outcome> RunAsync(params string[] args) => await RunWithInputAsync("", args);

    public static async Task<Outcome> RunWithInputAsync(string input, params string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        int code = await PbmApp.RunAsync(args, new StringReader(input), output, errors, CancellationToken.None);
        return new Outcome(code, output.ToString(), errors.ToString());
    }
}
