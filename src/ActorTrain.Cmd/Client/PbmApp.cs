using System.Text.RegularExpressions;
using ActorTrain.Cmd.Palettes;

namespace ActorTrain.Cmd.Client;

/// <summary>
/// `pbm [HOST:PORT] [--token T] [PALETTE COMMAND ARGS]`: one command and out, or without one an
/// interactive prompt `[host:port] pbm>` with help and history. Exit codes: 0 ok, 1 the command
/// failed, 2 a command line that does not fit the palettes, 3 the node unreachable or refusing us.
/// </summary>
public static partial class PbmApp
{
    public const string DefaultAddress = "127.0.0.1:9110";
    public const int Failed = 1, UsageError = 2, Unreachable = 3;

    public const string Usage = "usage: pbm [HOST:PORT] [--token TOKEN] [PALETTE COMMAND [ARGS]]   (HOST:PORT defaults to " + DefaultAddress +
                                "; no command: an interactive prompt; `pbm help` lists the node's palettes)";
    private static CancellationTokenSource? running;

    /// <summary>Ctrl+C: stops the command that is running (a tail) and returns true; false when none runs, or when it was
    /// asked to stop already and has not (a node that stopped answering): then pbm ends.</summary>
    public static bool CancelRunningCommand()
    {
        var command = running;
        if (command is null || command.IsCancellationRequested) return false;
        command.Cancel();
        return true;
    }

    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        var words = args.ToList();
        // --token first: before the address too, or the address would not be the first word, and the token would go
        // to the default node instead.
        string? token = Environment.GetEnvironmentVariable("PBM_TOKEN");
        int tokenAt = words.IndexOf("--token");
        if (tokenAt >= 0)
        {
            if (tokenAt + 1 >= words.Count)
            {
                errors.WriteLine("pbm: --token needs a value");
                return UsageError;
            }
            token = words[tokenAt + 1];
            words.RemoveRange(tokenAt, 2);
        }
        string address = words.Count > 0 && HostPort().IsMatch(words[0]) ? Take(words, 0) : DefaultAddress;
        // pbm's own options come before the palette: one it does not know is the caller's mistake, found here (it was
        // taken for a palette, and with no node at the default address said "cannot reach", exit 3).
        if (words.Count > 0 && words[0].StartsWith('-'))
        {
            if (words[0] is "-h" or "--help")
            {
                output.WriteLine(Usage);
                return 0;
            }
            errors.WriteLine($"pbm: unknown option '{words[0]}'\n{Usage}");
            return UsageError;
        }
        int colon = address.LastIndexOf(':');
        int port = int.Parse(address[(colon + 1)..]);
        if (port is < 1 or > 65535)
        {
            errors.WriteLine($"pbm: {address}: {port} is not a port number (1-65535)");
            return UsageError;
        }
        PbmConnection connection;
        try
        {
            connection = await PbmConnection.OpenAsync(address[..colon], port, token, cancellationToken);
        }
        catch (PbmException e)
        {
            errors.WriteLine($"pbm: {e.Message}");
            return Unreachable;
        }
        await using (connection)
        {
            if (words.Count > 0) return await RunOneAsync(connection, words, output, errors, cancellationToken);
            return await InteractiveAsync(connection, address, input, output, errors, cancellationToken);
        }
    }

    private static async Task<int> RunOneAsync(PbmConnection connection, IReadOnlyList<string> words, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        try
        {
            CommandParser.Parse(connection.Palettes, words); // a mistake is refused here, with the usage, before it travels
        }
        catch (CommandLineException e)
        {
            errors.WriteLine($"pbm: {e.Message}");
            return UsageError;
        }
        using var command = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        running = command;
        try
        {
            var (ok, message, usage) = await connection.ExecuteAsync(words, text => output.WriteLine(text), command.Token);
            if (ok) return 0;
            errors.WriteLine($"pbm: {message}");
            return usage ? UsageError : Failed;
        }
        catch (CommandLineException e)
        {
            errors.WriteLine($"pbm: {e.Message}");
            return UsageError;
        }
        catch (Exception e) when (e is PbmException or IOException or InvalidDataException)
        {
            errors.WriteLine($"pbm: {e.Message}");
            return Unreachable;
        }
        finally
        {
            running = null;
        }
    }

    private static async Task<int> InteractiveAsync(PbmConnection connection, string address, TextReader input, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        var history = new List<string>();
        // What pbm exits with, as a shell does: the last command's code, so that `pbm < script` fails when its last
        // command did.
        int last = 0;
        output.WriteLine($"connected to {connection.Node}; 'help' lists the palettes, 'exit' leaves");
        while (!cancellationToken.IsCancellationRequested)
        {
            output.Write($"[{address}] pbm> ");
            string? line = await input.ReadLineAsync(cancellationToken);
            if (line is null) return last;
            line = line.Trim();
            if (line.Length == 0) continue;
            history.Add(line);
            IReadOnlyList<string> words;
            try
            {
                words = CommandParser.Split(line);
            }
            catch (CommandLineException e)
            {
                errors.WriteLine($"pbm: {e.Message}");
                last = UsageError;
                continue;
            }
            switch (words[0])
            {
                case "exit" or "quit":
                    return last;
                case "history":
                    for (int i = 0; i < history.Count; i++) output.WriteLine($"{i + 1,4}  {history[i]}");
                    last = 0;
                    continue;
                case "help":
                    output.WriteLine(Help(connection.Palettes, words.Count > 1 ? words[1] : null));
                    last = 0;
                    continue;
            }
            last = await RunOneAsync(connection, words, output, errors, cancellationToken);
            if (last == Unreachable) return last;
        }
        return last;
    }

    /// <summary>The palettes, or one palette's commands with their usage.</summary>
    public static string Help(IReadOnlyList<PaletteDefinition> palettes, string? palette)
    {
        if (palette is null)
            return string.Join("\n", palettes.Select(p => $"{p.Name,-18} {p.Description}")) + "\n'help PALETTE' shows its commands; every command takes --json";
        var found = palettes.FirstOrDefault(p => p.Name == palette);
        if (found is null) return $"unknown palette '{palette}'; palettes: {string.Join(", ", palettes.Select(p => p.Name))}";
        return string.Join("\n", found.Commands.Select(c => $"{c.Usage(found.Name)}\n    {c.Description}" +
            string.Concat(c.Arguments.Select(a => $"\n      {a.Display}: {a.Description}{(a.Default is null ? "" : $" (default {a.Default})")}"))));
    }

    private static string Take(List<string> words, int at)
    {
        string word = words[at];
        words.RemoveAt(at);
        return word;
    }

    [GeneratedRegex(@"^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$")]
    private static partial Regex HostPort();
}
