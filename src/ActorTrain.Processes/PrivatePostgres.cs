using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace ActorTrain.Processes;

/// <summary>
/// A PostgreSQL server of our own for the duration of a test run: initdb into a temporary
/// directory, pg_ctl start on a free loopback port, pg_ctl stop and delete on dispose.
/// PostgreSQL refuses to run as root, so as root every server command runs as the `postgres`
/// system user (runuser) on a directory that user created.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);
    private readonly string binDirectory;
    private readonly string root;
    private bool stopped;
    private Process? reaper;

    private PrivatePostgres(string binDirectory, string root, int port)
    {
        this.binDirectory = binDirectory;
        this.root = root;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The server's directory (its data, socket and log), deleted on dispose.</summary>
    public string Root => root;

    /// <summary>The postmaster's process id, from its pid file.</summary>
    public int ProcessId => int.Parse(File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).First());

    private string DataDirectory => Path.Combine(root, "data");

    /// <summary>Connection string of the server's default database as its superuser.</summary>
    public string ConnectionString => ConnectionStringFor("postgres");

    public string ConnectionStringFor(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timeout=10";

    /// <summary>Why no server can be started here, or null when one can.</summary>
    public static string? UnavailableReason
    {
        get
        {
            if (FindBinDirectory() is null)
                return $"PostgreSQL server binaries (initdb, pg_ctl) are not in {BinDirectoryVariable}, on PATH or under /usr/lib/postgresql/*/bin; install them (Debian: apt-get install postgresql)";
            if (IsRoot && !File.Exists("/usr/sbin/runuser") && !File.Exists("/sbin/runuser"))
                return "running as root, and PostgreSQL refuses root, but runuser is missing to drop to the postgres user";
            return null;
        }
    }

    public static async Task<PrivatePostgres> StartAsync()
    {
        string bin = FindBinDirectory() ?? throw new InvalidOperationException(UnavailableReason);
        string root = (await RunAsync(null, "mktemp", ownSession: false, "-d", Path.Combine(Path.GetTempPath(), "actortrain-pg-XXXXXX"))).Trim();
        var server = new PrivatePostgres(bin, root, FreeLoopbackPort());
        try
        {
            await server.RunServerCommandAsync("initdb", "-D", server.DataDirectory, "-U", "postgres", "-A", "trust",
                "-E", "UTF8", "--locale=C", "--no-sync");
            await server.StartServerAsync();
            server.reaper = server.StartReaper();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates an empty database and returns its connection string, so tests never share tables.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        // An identifier cannot be a parameter: quoted, with its quotes doubled, it is one name whatever it holds.
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name.Replace("\"", "\"\"")}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionStringFor(name);
    }

    public async ValueTask DisposeAsync()
    {
        // Stopped here, in order: the reaper is for an owner that dies without disposing.
        if (reaper is { HasExited: false }) reaper.Kill(entireProcessTree: true);
        reaper?.Dispose();
        try
        {
            if (!stopped && File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                stopped = true;
                await RunServerCommandAsync("pg_ctl", "-D", DataDirectory, "-m", "immediate", "-w", "stop");
            }
        }
        finally
        {
            // Deleted even when the stop failed (its server gone already): no cluster directory is left in /tmp.
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Stops the server as an operator's restart does (`pg_ctl stop -m fast`: open connections are cut).</summary>
    public Task StopServerAsync() => RunServerCommandAsync("pg_ctl", "-D", DataDirectory, "-m", "fast", "-w", "stop");

    /// <summary>Starts the server again on the same port and data, in a session of its own: a terminal's Ctrl+C, meant for
    /// its owner (which then stops its clients first), would otherwise stop it under them.</summary>
    public Task StartServerAsync() => RunAsync(binDirectory, "pg_ctl", ownSession: true, "-D", DataDirectory,
        "-l", Path.Combine(root, "server.log"), "-w", "-t", "60",
        "-o", $"-p {Port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off",
        "start");

    private Task<string> RunServerCommandAsync(string tool, params string[] arguments) =>
        RunAsync(binDirectory, tool, ownSession: false, arguments);

    // A process whose standard input is a pipe from this one, in a session of its own: when this process dies without
    // disposing the server (SIGKILL, a test host killed at its timeout), the pipe ends, and it stops the server and
    // deletes its directory, as DisposeAsync would have. Nothing is left running or lying in /tmp.
    private Process StartReaper()
    {
        const string Script = "cat > /dev/null; \"$0\" -D \"$1\" -m immediate -w stop > /dev/null 2>&1; rm -rf \"$2\"";
        var start = new ProcessStartInfo("setsid") { RedirectStandardInput = true, UseShellExecute = false };
        foreach (string argument in AsServerUser(["sh", "-c", Script, Path.Combine(binDirectory, "pg_ctl"), DataDirectory, root])) start.ArgumentList.Add(argument);
        return Process.Start(start) ?? throw new InvalidOperationException("could not start the private PostgreSQL's reaper");
    }

    // ownSession: in a new session and process group (setsid(1), of util-linux, which every Debian has), out of reach of
    // the signals a terminal sends its foreground group.
    private static async Task<string> RunAsync(string? binDirectory, string tool, bool ownSession, params string[] arguments)
    {
        string program = binDirectory is null ? tool : Path.Combine(binDirectory, tool);
        string[] command = AsServerUser(ownSession ? ["setsid", "--wait", program, .. arguments] : [program, .. arguments]);
        return await ExternalCommand.RunAsync(command[0], command[1..], CommandTimeout);
    }

    private static string[] AsServerUser(string[] command) => IsRoot ? ["runuser", "-u", "postgres", "--", .. command] : command;

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>Names the one directory to take initdb and pg_ctl from (say, another PostgreSQL version).</summary>
    public const string BinDirectoryVariable = "ACTORTRAIN_PG_BIN";

    private static string? FindBinDirectory()
    {
        if (Environment.GetEnvironmentVariable(BinDirectoryVariable) is { Length: > 0 } chosen)
            return File.Exists(Path.Combine(chosen, "initdb")) && File.Exists(Path.Combine(chosen, "pg_ctl")) ? chosen : null;
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(dir => File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")));
        if (onPath is not null) return onPath;
        if (!Directory.Exists("/usr/lib/postgresql")) return null;
        return Directory.GetDirectories("/usr/lib/postgresql")
            .Select(dir => (Version: int.TryParse(Path.GetFileName(dir), out int v) ? v : -1, Bin: Path.Combine(dir, "bin")))
            .Where(c => File.Exists(Path.Combine(c.Bin, "initdb")) && File.Exists(Path.Combine(c.Bin, "pg_ctl")))
            .OrderByDescending(c => c.Version)
            .Select(c => c.Bin)
            .FirstOrDefault();
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
