using System.IO.Compression;
using System.Reflection;
using System.Text;

namespace ActorTrain.Tokenizers;

/// <summary>
/// Reads a tiktoken vocabulary (lines "base64-bytes [rank]") from Microsoft.ML.Tokenizers' offline data
/// packages and recovers its merges: a token of rank r is the merge of the two parts that BPE with
/// ranks below r leaves of its bytes. That turns GPT-2's ranks into a vocabulary our encoder runs.
/// </summary>
internal static class TiktokenRanks
{
    /// <exception cref="InvalidDataException">The data package is missing or its file is malformed.</exception>
    public static byte[][] Load(string assemblyName, string resourceName)
    {
        Assembly assembly;
        try
        {
            assembly = Assembly.Load(assemblyName);
        }
        catch (FileNotFoundException e)
        {
            throw new InvalidDataException($"the {assemblyName} package is not deployed with this build ({e.Message})", e);
        }
        using var stream = assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidDataException($"{assemblyName} has no resource {resourceName}");
        using var reader = new StreamReader(new DeflateStream(stream, CompressionMode.Decompress), Encoding.ASCII);
        var tokens = new List<byte[]?>();
        int lineNumber = 0;
        while (reader.ReadLine() is string line)
        {
            lineNumber++;
            if (line.Length == 0 || line.StartsWith("Capacity:", StringComparison.Ordinal)) continue;
            // "base64 rank", or just "base64" with the rank implied by the order (Microsoft's packed files).
            int space = line.IndexOf(' ');
            int rank = tokens.Count;
            if (space == 0 || space > 0 && (!int.TryParse(line.AsSpan(space + 1), out rank) || rank < 0))
                throw new InvalidDataException($"{resourceName} line {lineNumber}: expected 'base64 [rank]'");
            while (tokens.Count <= rank) tokens.Add(null);
            try
            {
                tokens[rank] = Convert.FromBase64String(space > 0 ? line[..space] : line);
            }
            catch (FormatException)
            {
                throw new InvalidDataException($"{resourceName} line {lineNumber}: token is not base64");
            }
        }
        int hole = tokens.IndexOf(null);
        if (hole >= 0) throw new InvalidDataException($"{resourceName}: no token has rank {hole}");
        return [.. tokens.Select(t => t!)];
    }

    /// <summary>The merge that makes each multi-byte token, in rank order.</summary>
    public static List<(int Left, int Right)> RecoverMerges(byte[][] tokens)
    {
        var rankOf = new Dictionary<string, int>(tokens.Length);
        for (int rank = 0; rank < tokens.Length; rank++) rankOf[Key(tokens[rank])] = rank;
        var merges = new List<(int, int)>();
        for (int rank = 0; rank < tokens.Length; rank++)
        {
            if (tokens[rank].Length < 2) continue;
            var parts = tokens[rank].Select(b => new[] { b }).ToList();
            while (parts.Count > 2)
            {
                int at = -1, best = rank;
                for (int i = 0; i + 1 < parts.Count; i++)
                {
                    if (rankOf.TryGetValue(Key([.. parts[i], .. parts[i + 1]]), out int r) && r < best)
                    {
                        best = r;
                        at = i;
                    }
                }
                if (at < 0) break;
                parts[at] = [.. parts[at], .. parts[at + 1]];
                parts.RemoveAt(at + 1);
            }
            if (parts.Count != 2) throw new InvalidDataException($"token of rank {rank} is not the merge of two earlier tokens");
            merges.Add((rankOf[Key(parts[0])], rankOf[Key(parts[1])]));
        }
        return merges;
    }

    private static string Key(byte[] bytes) => Encoding.Latin1.GetString(bytes);
}
