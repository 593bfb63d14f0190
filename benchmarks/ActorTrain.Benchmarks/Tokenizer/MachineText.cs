using System.IO.Compression;
using System.Text;

namespace ActorTrain.Benchmarks.Tokenizer;

/// <summary>
/// Real text from this machine for the tokenizer benchmark: prose from /usr/share/doc (READMEs,
/// copyright files, gzipped changelogs), code from /usr/include and this repository, and a
/// multilingual sample (the first article of the Universal Declaration of Human Rights in twelve
/// languages, shuffled into paragraphs). Files are read in sorted order, so a run is repeatable.
/// </summary>
public static class MachineText
{
    private static readonly string[] Declaration =
    [
        "All human beings are born free and equal in dignity and rights. They are endowed with reason and conscience and should act towards one another in a spirit of brotherhood.",
        "Tous les êtres humains naissent libres et égaux en dignité et en droits. Ils sont doués de raison et de conscience et doivent agir les uns envers les autres dans un esprit de fraternité.",
        "Alle Menschen sind frei und gleich an Würde und Rechten geboren. Sie sind mit Vernunft und Gewissen begabt und sollen einander im Geist der Brüderlichkeit begegnen.",
        "Todos los seres humanos nacen libres e iguales en dignidad y derechos y, dotados como están de razón y conciencia, deben comportarse fraternalmente los unos con los otros.",
        "Все люди рождаются свободными и равными в своем достоинстве и правах. Они наделены разумом и совестью и должны поступать в отношении друг друга в духе братства.",
        "人人生而自由，在尊严和权利上一律平等。他们赋有理性和良心，并应以兄弟关系的精神相对待。",
        "すべての人間は、生まれながらにして自由であり、かつ、尊厳と権利とについて平等である。人間は、理性と良心とを授けられており、互いに同胞の精神をもって行動しなければならない。",
        "모든 인간은 태어날 때부터 자유로우며 그 존엄과 권리에 있어 동등하다. 인간은 천부적으로 이성과 양심을 부여받았으며 서로 형제애의 정신으로 행동하여야 한다.",
        "يولد جميع الناس أحرارًا متساوين في الكرامة والحقوق. وقد وهبوا عقلاً وضميرًا وعليهم أن يعامل بعضهم بعضًا بروح الإخاء.",
        "सभी मनुष्यों को गौरव और अधिकारों के मामले में जन्मजात स्वतन्त्रता और समानता प्राप्त है। उन्हें बुद्धि और अन्तरात्मा की देन प्राप्त है और परस्पर उन्हें भाईचारे के भाव से बर्ताव करना चाहिए।",
        "Όλοι οι άνθρωποι γεννιούνται ελεύθεροι και ίσοι στην αξιοπρέπεια και τα δικαιώματα. Είναι προικισμένοι με λογική και συνείδηση, και οφείλουν να συμπεριφέρονται μεταξύ τους με πνεύμα αδελφοσύνης.",
        "Tüm insanlar hür, haysiyet ve haklar bakımından eşit doğarlar. Akıl ve vicdana sahiptirler ve birbirlerine karşı kardeşlik zihniyeti ile hareket etmelidirler. 🌍✊",
    ];

    public static List<string> Prose(long bytes) => Read(["/usr/share/doc"], path =>
        path.EndsWith(".gz", StringComparison.Ordinal) || Path.GetFileName(path) is "copyright" || Path.GetFileName(path).StartsWith("README", StringComparison.Ordinal), bytes);

    public static List<string> Code(long bytes, string repository) => Read([Path.Combine(repository, "src"), Path.Combine(repository, "native"), "/usr/include"], path =>
        Path.GetExtension(path) is ".cs" or ".h" or ".hpp" or ".cpp" or ".inl", bytes);

    public static List<string> Multilingual(long bytes, int seed)
    {
        var random = new Random(seed);
        var documents = new List<string>();
        for (long total = 0; total < bytes;)
        {
            var paragraph = string.Join("\n\n", Enumerable.Range(0, 8).Select(_ => Declaration[random.Next(Declaration.Length)]));
            documents.Add(paragraph);
            total += Encoding.UTF8.GetByteCount(paragraph);
        }
        return documents;
    }

    public static long Bytes(IEnumerable<string> documents) => documents.Sum(d => (long)Encoding.UTF8.GetByteCount(d));

    private static List<string> Read(string[] roots, Func<string, bool> wanted, long bytes)
    {
        var documents = new List<string>();
        long total = 0;
        foreach (string path in roots.Where(Directory.Exists).SelectMany(r => Directory.EnumerateFiles(r, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)))
        {
            if (total >= bytes) break;
            if (!wanted(path) || path.Contains("/bin/") || path.Contains("/obj/")) continue;
            string text;
            try
            {
                using var file = File.OpenRead(path);
                using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
                text = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true)).ReadToEnd();
            }
            catch (Exception e) when (e is IOException or InvalidDataException or DecoderFallbackException or UnauthorizedAccessException)
            {
                continue; // not UTF-8 text, or unreadable: not part of the sample
            }
            documents.Add(text);
            total += Encoding.UTF8.GetByteCount(text);
        }
        return documents;
    }
}
