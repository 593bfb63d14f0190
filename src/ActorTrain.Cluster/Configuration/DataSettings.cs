using ActorTrain.Data.Cleaning;
using ActorTrain.Data.Cleaning.Code;
using ActorTrain.Data.Cleaning.Normalise;
using ActorTrain.Data.Cleaning.Pii;
using ActorTrain.Data.Cleaning.Quality;
using ActorTrain.Data.Cleaning.Toxicity;
using ActorTrain.Data.Collection;
using ActorTrain.Data.Dedup;
using Akka.Configuration;

namespace ActorTrain.Cluster.Configuration;

/// <summary>actortrain.data, read once into the data path's settings. Mistakes (an unknown stage,
/// a number that is not one) fail here with the key named, not halfway through a job.</summary>
public sealed record DataSettings(ReaderSettings Readers, IReadOnlyList<string> StageNames, CleaningPipeline Pipeline, MinHashSettings MinHash)
{
    private const string Root = "actortrain.data";

    public static readonly IReadOnlyList<string> KnownStages =
        ["normalise", "code-quality", "gopher-quality", "gopher-repetition", "c4", "fineweb", "pii", "toxicity"];

    /// <exception cref="ConfigurationException">A key is missing, of the wrong type, or names no stage.</exception>
    public static DataSettings From(Config config)
    {
        var reader = new Reader(config.GetConfig(Root) ?? throw new ConfigurationException($"{Root} is missing"));
        var readers = new ReaderSettings
        {
            MaxRecordBytes = (int)Math.Min(reader.Bytes("collect.max-record-size"), int.MaxValue),
            JsonTextField = reader.String("collect.jsonl-text-field"),
            ParquetTextColumn = reader.String("collect.parquet-text-column"),
            InvalidUtf8 = reader.Choice("collect.invalid-utf8", new Dictionary<string, InvalidUtf8> { ["repair"] = InvalidUtf8.Repair, ["quarantine"] = InvalidUtf8.Quarantine }),
        };
        var names = reader.Strings("stages");
        var stages = names.Select(name => Stage(name, reader)).ToArray();
        // Zero shingle words or rows make every document's signature the same (all near-duplicates of one another: one
        // document kept per job); zero bands turn near-dedup off silently. Neither is a setting anybody means.
        var minHash = new MinHashSettings
        {
            ShingleWords = reader.Int("minhash.shingle-words", 1, 64),
            Bands = reader.Int("minhash.bands", 1, 1024),
            RowsPerBand = reader.Int("minhash.rows-per-band", 1, 64),
        };
        return new DataSettings(readers, names, new CleaningPipeline(stages), minHash);
    }

    private static IDocumentStage Stage(string name, Reader r) => name switch
    {
        "normalise" => new NormaliseStage(),
        "code-quality" => new CodeQualityStage(new CodeQualitySettings
        {
            MaxLineLength = r.Int("code-quality.max-line-length"),
            MaxMeanLineLength = r.Double("code-quality.max-mean-line-length"),
            MinAlphanumericFraction = r.Double("code-quality.min-alphanumeric-fraction"),
            GeneratedMarkers = r.Strings("code-quality.generated-markers"),
        }),
        "gopher-quality" => new GopherQualityStage(new GopherQualitySettings
        {
            MinWords = r.Int("gopher-quality.min-words"),
            MaxWords = r.Int("gopher-quality.max-words"),
            MinMeanWordLength = r.Double("gopher-quality.min-mean-word-length"),
            MaxMeanWordLength = r.Double("gopher-quality.max-mean-word-length"),
            MaxHashPerWord = r.Double("gopher-quality.max-hash-per-word"),
            MaxEllipsisPerWord = r.Double("gopher-quality.max-ellipsis-per-word"),
            MaxBulletLineFraction = r.Double("gopher-quality.max-bullet-line-fraction"),
            MaxEllipsisLineFraction = r.Double("gopher-quality.max-ellipsis-line-fraction"),
            MinAlphabeticWordFraction = r.Double("gopher-quality.min-alphabetic-word-fraction"),
            MinStopWords = r.Int("gopher-quality.min-stop-words"),
        }),
        "gopher-repetition" => new GopherRepetitionStage(new GopherRepetitionSettings
        {
            MaxDuplicateLineFraction = r.Double("gopher-repetition.max-duplicate-line-fraction"),
            MaxDuplicateParagraphFraction = r.Double("gopher-repetition.max-duplicate-paragraph-fraction"),
            MaxDuplicateLineCharFraction = r.Double("gopher-repetition.max-duplicate-line-char-fraction"),
            MaxDuplicateParagraphCharFraction = r.Double("gopher-repetition.max-duplicate-paragraph-char-fraction"),
            MaxTopNGramCharFraction = r.Doubles("gopher-repetition.max-top-ngram-char-fraction", 3).Select((v, i) => (N: i + 2, v)).ToDictionary(p => p.N, p => p.v),
            MaxDuplicateNGramCharFraction = r.Doubles("gopher-repetition.max-duplicate-ngram-char-fraction", 6).Select((v, i) => (N: i + 5, v)).ToDictionary(p => p.N, p => p.v),
        }),
        "c4" => new C4Stage(new C4Settings
        {
            MinWordsPerLine = r.Int("c4.min-words-per-line"),
            MinSentences = r.Int("c4.min-sentences"),
            MaxWordLength = r.Int("c4.max-word-length"),
        }),
        "fineweb" => new FineWebStage(new FineWebSettings
        {
            MinPunctuatedLineFraction = r.Double("fineweb.min-punctuated-line-fraction"),
            MaxShortLineFraction = r.Double("fineweb.max-short-line-fraction"),
            ShortLineChars = r.Int("fineweb.short-line-chars"),
            MaxDuplicateLineCharFraction = r.Double("fineweb.max-duplicate-line-char-fraction"),
            MaxNewlinesPerWord = r.Double("fineweb.max-newlines-per-word"),
        }),
        "pii" => new PiiStage(new PiiPlaceholders
        {
            Email = r.String("pii.email"),
            IpAddress = r.String("pii.ip-address"),
            Phone = r.String("pii.phone"),
            Secret = r.String("pii.secret"),
        }),
        "toxicity" => new ToxicityStage(new ToxicitySettings
        {
            WordListFiles = r.Strings("toxicity.word-lists"),
            MaxMatches = r.Int("toxicity.max-matches"),
            Action = r.Choice("toxicity.action", new Dictionary<string, ToxicityAction> { ["drop"] = ToxicityAction.Drop, ["flag"] = ToxicityAction.Flag }),
        }),
        _ => throw new ConfigurationException($"{Root}.stages: unknown stage '{name}' (known: {string.Join(", ", KnownStages)})"),
    };

    /// <summary>Typed reads that name the full key when the value is missing or of the wrong type.</summary>
    private sealed class Reader(Config section)
    {
        public string String(string key) => Read(key, "a string", () => section.GetString(key));

        public int Int(string key) => Read(key, "an integer", () => int.Parse(section.GetString(key), System.Globalization.CultureInfo.InvariantCulture));

        public int Int(string key, int min, int max)
        {
            int value = Int(key);
            return value >= min && value <= max ? value : throw new ConfigurationException($"{Root}.{key}: {value} is not between {min} and {max}");
        }

        public double Double(string key) => Read(key, "a number", () => double.Parse(section.GetString(key), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture));

        public long Bytes(string key) => Read(key, "a size such as 4MiB", () => section.GetByteSize(key) ?? throw new FormatException());

        public IReadOnlyList<string> Strings(string key) => Read(key, "a list of strings", () => section.GetStringList(key).ToArray());

        public IReadOnlyList<double> Doubles(string key, int count)
        {
            var values = Read(key, $"a list of {count} numbers", () => section.GetStringList(key)
                .Select(v => double.Parse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture)).ToArray());
            if (values.Length != count) throw new ConfigurationException($"{Root}.{key}: expected {count} numbers, got {values.Length}");
            return values;
        }

        public T Choice<T>(string key, IReadOnlyDictionary<string, T> choices)
        {
            string value = String(key);
            return choices.TryGetValue(value, out T? choice)
                ? choice
                : throw new ConfigurationException($"{Root}.{key}: '{value}' is not one of {string.Join(", ", choices.Keys)}");
        }

        private T Read<T>(string key, string expected, Func<T> read)
        {
            if (!section.HasPath(key)) throw new ConfigurationException($"{Root}.{key} is missing");
            try
            {
                return read();
            }
            catch (Exception e) when (e is FormatException or OverflowException or ConfigurationException or InvalidCastException or ArgumentException)
            {
                throw new ConfigurationException($"{Root}.{key}: expected {expected} ({e.Message})");
            }
        }
    }
}
