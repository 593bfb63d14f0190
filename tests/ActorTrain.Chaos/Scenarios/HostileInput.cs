using System.IO.Compression;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace ActorTrain.Chaos.Scenarios;

/// <summary>
/// Hostile bytes while a run trains: random bytes, absurd length prefixes and half frames on every
/// node's pbm port and on every replica's data-plane port, then a corpus of broken files ingested on the
/// same cluster. Every node must stay up and answer, training must go on, and the broken files must be
/// counted as bad records, not crash the job.
/// </summary>
public static partial class HostileInput
{
    public const string Name = "hostile-input";

    public static Task<ScenarioResult> RunAsync(string journal, int seed)
    {
        var scenario = new ChaosScenario(Name, seed, ProcessCluster.Create(journal));
        NodeProcess? coordinator = null;
        return scenario.RunAsync(async s => coordinator = (await s.Cluster.StartThreeAsync()).Coordinator, async (s, watcher) =>
        {
            var live = s.Cluster.Nodes.Where(n => !n.HasExited).ToList();
            var planes = DataPlanes(coordinator!).ToList();
            // Without them the scenario would attack the command hosts only and pass all the same.
            if (planes.Count == 0) s.Violations.Add("no data-plane endpoint found in the run host's log: the data planes were not attacked");
            var targets = live.Select(n => n.CommandAddress!).Concat(planes).ToList();
            long before = watcher.Latest!.NextStep;
            for (int round = 0; round < 3; round++)
                await Task.WhenAll(targets.Select(target => SendGarbageAsync(target, s.Random.Next())));
            await watcher.WaitForAsync(state => state.NextStep >= before + 8, ChaosScenario.Patience, "eight steps after the garbage");
            foreach (var node in live.Where(n => n.HasExited)) s.Violations.Add($"{node.Name} died of the garbage");
            foreach (var node in live)
            {
                var (code, _) = await Pbm.RunAsync(node.CommandAddress!, "cluster", "show");
                if (code != 0) s.Violations.Add($"{node.Name}'s command host no longer answers (pbm exit {code})");
            }

            string corpus = BrokenCorpus(Path.Combine(s.Cluster.Root, "broken-corpus"), s.Random);
            var (started, startOutput) = await Pbm.RunAsync(coordinator!.CommandAddress!, "data", "ingest", "-j", "broken", "-s", corpus);
            if (started != 0) s.Violations.Add($"pbm data ingest of the broken corpus failed: {startOutput}");
            string status = "";
            var deadline = DateTime.UtcNow + ChaosScenario.Patience;
            while (!status.StartsWith("broken | completed", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(1000);
                (_, status) = await Pbm.RunAsync(coordinator.CommandAddress!, "data", "status", "-j", "broken");
            }
            if (!status.StartsWith("broken | completed", StringComparison.Ordinal)) s.Violations.Add($"the broken corpus did not ingest to the end: {status}");
            else if (!BadRecords().IsMatch(status)) s.Violations.Add($"the broken files were not counted as bad records: {status}");
            else if (Kept().Match(status) is not { Success: true } kept || int.Parse(kept.Groups[1].Value) != 2)
                s.Violations.Add($"the good documents beside the broken files were not kept: {status}");
        });
    }

    // The data-plane endpoints of the newest round, from the run host's own log line.
    private static IEnumerable<string> DataPlanes(NodeProcess host) =>
        RoundLine().Matches(host.Output).LastOrDefault() is { } round
            ? Regex.Matches(round.Groups[1].Value, @"at (\d+\.\d+\.\d+\.\d+:\d+)").Select(m => m.Groups[1].Value)
            : [];

    private static async Task SendGarbageAsync(string endpoint, int seed)
    {
        var random = new Random(seed);
        string[] parts = endpoint.Split(':');
        byte[][] attacks =
        [
            RandomBytes(random, 4096),
            [0x7f, 0xff, 0xff, 0xff, .. RandomBytes(random, 64)],       // a length prefix of 2 GiB
            [0x00, 0x00, 0x01, 0x00, .. "{\"type\":\"hel"u8.ToArray()],  // half a frame, then silence
            Encoding.UTF8.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
        ];
        foreach (var attack in attacks)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(parts[0], int.Parse(parts[1])).WaitAsync(TimeSpan.FromSeconds(2));
                await client.GetStream().WriteAsync(attack).AsTask().WaitAsync(TimeSpan.FromSeconds(2));
                await Task.Delay(50);
            }
            catch (Exception e) when (e is SocketException or IOException or TimeoutException)
            {
                // Refused or cut off: that is the node defending itself.
            }
        }
    }

    // Paragraphs of sentences, each paragraph one line (C4 drops lines that do not end in punctuation, as wrapped prose's do).
    private static string Prose(params string[][] paragraphs) => string.Join("\n\n", paragraphs.Select(sentences => string.Join(' ', sentences))) + "\n";

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    // Files every reader must refuse record by record: truncated and fake compression, invalid UTF-8,
    // malformed JSONL, a Parquet file that is not one, binary junk — beside two good documents, prose that passes
    // every filter (the repeated "word7 sentence3." text they once were was dropped by the repetition filter, and the
    // scenario never looked).
    private static string BrokenCorpus(string directory, Random random)
    {
        Directory.CreateDirectory(directory);
        string river = Prose(
            [
                "The river leaves the mountains in early spring, when the snow on the high slopes begins to melt.",
                "Farmers in the valley watch the water rise every morning, because a late flood can ruin the young wheat in a single night.",
            ],
            [
                "Along the banks, old stone walls mark where the villages once stood before the great storm of the last century.",
                "Children walk to school across a narrow wooden bridge, and their teachers remind them each week to stay away from the fast current below.",
                "In the evening the market square fills with traders selling bread, cheese and dried fish, while musicians play near the fountain until the lamps are lit.",
            ]);
        string harbour = Prose(
            [
                "Ships arrive at the harbour before dawn, and the first task of the day is to unload the nets and sort the catch.",
                "The harbour master keeps a careful record of every boat that enters or leaves, noting its cargo, its crew and the weather it met at sea.",
            ],
            [
                "When a storm is expected, the fishermen pull their boats high onto the shingle and tie them to iron rings set in the rock.",
                "Visitors often ask why the lighthouse is painted red and white;",
                "the answer is simply that sailors can see those colours from far away, even in fog or heavy rain.",
            ]);
        File.WriteAllText(Path.Combine(directory, "good.txt"), river);
        using (var gz = new MemoryStream())
        {
            using (var zip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true)) zip.Write(Encoding.UTF8.GetBytes(river + harbour));
            File.WriteAllBytes(Path.Combine(directory, "truncated.txt.gz"), gz.ToArray()[..(int)(gz.Length / 2)]);
        }
        File.WriteAllBytes(Path.Combine(directory, "fake.txt.zst"), RandomBytes(random, 2048));
        File.WriteAllBytes(Path.Combine(directory, "invalid-utf8.txt"), [.. Encoding.UTF8.GetBytes("Valid start "), 0xC3, 0x28, 0xFF, 0xFE, .. Encoding.UTF8.GetBytes(" end")]);
        File.WriteAllText(Path.Combine(directory, "malformed.jsonl"),
            System.Text.Json.JsonSerializer.Serialize(new { text = harbour }) + "\n{\"text\": unquoted}\n[1,2\n{\"nottext\": 3}\n");
        File.WriteAllBytes(Path.Combine(directory, "not-really.parquet"), [.. "PAR1"u8.ToArray(), .. RandomBytes(random, 1000)]);
        File.WriteAllBytes(Path.Combine(directory, "junk.html"), RandomBytes(random, 4096));
        return directory;
    }

    [GeneratedRegex(@"run chaos step \d+: round \d+ with replicas \[([^\]]*)\]")]
    private static partial Regex RoundLine();

    [GeneratedRegex(@"bad records: [1-9]\d*")]
    private static partial Regex BadRecords();

    [GeneratedRegex(@"(\d+) of \d+ documents kept")]
    private static partial Regex Kept();
}
