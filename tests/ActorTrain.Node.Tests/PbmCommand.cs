using ActorTrain.Cmd.Client;
using Xunit;

namespace ActorTrain.Node.Tests;

/// <summary>`pbm` run in this process against a node's command host, its output and errors captured.</summary>
internal static class PbmCommand
{
    public static async Task<(int Code, string Output, string Errors)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        int code = await PbmApp.RunAsync(args, new StringReader(""), output, errors, CancellationToken.None);
        return (code, output.ToString(), errors.ToString());
    }

    /// <summary>Runs a command that must succeed; its output.</summary>
    public static async Task<string> OkAsync(params string[] args)
    {
        var (code, output, errors) = await RunAsync(args);
        Assert.True(code == 0, $"pbm {string.Join(' ', args)} exited {code}: {errors}");
        return output;
    }
}
