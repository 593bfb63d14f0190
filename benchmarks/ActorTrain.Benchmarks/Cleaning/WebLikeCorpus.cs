using System.Text.Json;

namespace ActorTrain.Benchmarks.Cleaning;

/// <summary>A generated web-like corpus, the same for a given seed: prose pages, 5% exact copies,
/// 5% near copies (one line changed), 10% junk (menus, fragments, placeholder text).</summary>
public static class WebLikeCorpus
{
    private static readonly string[] Words =
        ("the of and to in that have with be for on it as by at from this an which or are was were not but all can " +
         "river mountain garden window teacher market evening letter village harbour morning kitchen forest station " +
         "history picture weather journey country question library festival engineer harvest lantern bridge meadow").Split(' ');

    public static long Write(string directory, int documents, int files, int seed)
    {
        Directory.CreateDirectory(directory);
        var random = new Random(seed);
        var pages = new List<string>();
        long bytes = 0;
        var writers = Enumerable.Range(0, files).Select(f => new StreamWriter(Path.Combine(directory, $"crawl-{f:D3}.jsonl"))).ToArray();
        for (int i = 0; i < documents; i++)
        {
            double roll = random.NextDouble();
            string text = roll switch
            {
                < 0.05 when pages.Count > 0 => pages[random.Next(pages.Count)],
                < 0.10 when pages.Count > 0 => NearCopy(pages[random.Next(pages.Count)], random),
                < 0.20 => Junk(random),
                _ => Page(random),
            };
            if (roll >= 0.20) pages.Add(text);
            string line = JsonSerializer.Serialize(new { text, url = $"https://example.org/{i}" });
            writers[i % files].WriteLine(line);
            bytes += line.Length + 1;
        }
        foreach (var writer in writers) writer.Dispose();
        return bytes;
    }

    private static string Page(Random random) =>
        string.Join('\n', Enumerable.Range(0, random.Next(8, 20)).Select(_ => Sentence(random)));

    private static string Sentence(Random random)
    {
        var words = Enumerable.Range(0, random.Next(8, 18)).Select(_ => Words[random.Next(Words.Length)]).ToArray();
        words[0] = char.ToUpperInvariant(words[0][0]) + words[0][1..];
        return string.Join(' ', words) + ".";
    }

    private static string NearCopy(string page, Random random)
    {
        var lines = page.Split('\n');
        lines[random.Next(lines.Length)] = Sentence(random);
        return string.Join('\n', lines);
    }

    private static string Junk(Random random) => random.Next(3) switch
    {
        0 => string.Join('\n', Enumerable.Range(0, 12).Select(i => $"Home | Products | Item {i}")),
        1 => "Click here",
        _ => "Lorem ipsum dolor sit amet, " + Page(random),
    };
}
