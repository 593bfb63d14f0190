using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ActorTrain.Data.Documents;

namespace ActorTrain.Data.Cleaning.Normalise;

/// <summary>
/// One spelling for the same text: Unicode NFC, \n line ends, no control characters (tabs kept in
/// code), no trailing spaces, at most one blank line in a row, and in prose single spaces.
/// Lone surrogates (text decoded from broken UTF-16) become U+FFFD instead of breaking NFC.
/// </summary>
public sealed partial class NormaliseStage : IDocumentStage
{
    public string Name => "normalise";

    public StageResult Apply(Document document)
    {
        string text = Normalise(document.Text, document.IsCode);
        return text.Length == 0 ? StageResult.Drop("empty after normalisation") : StageResult.Keep(document.WithText(text));
    }

    public static string Normalise(string text, bool isCode)
    {
        text = text.Replace("\r\n", "\n").Replace('\r', '\n');
        var builder = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
                continue;
            }
            if (char.IsSurrogate(c)) builder.Append('\uFFFD');
            else if (c == '\n') builder.Append('\n');
            else if (c == '\t') builder.Append(isCode ? '\t' : ' ');
            else if (IsInvisibleControl(c)) continue;
            else builder.Append(c);
        }
        string result = builder.ToString().Normalize(NormalizationForm.FormC);
        result = TrailingSpaces().Replace(result, "");
        if (!isCode) result = SpaceRuns().Replace(result, " ");
        result = BlankLineRuns().Replace(result, "\n\n");
        return result.Trim('\n', ' ');
    }

    // C0/C1 controls and format characters (BOM, soft hyphen, bidi overrides), except the zero-width
    // joiners that emoji sequences and Persian or Indic scripts need.
    private static bool IsInvisibleControl(char c) =>
        char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format && c is not ('\u200C' or '\u200D');

    [GeneratedRegex(@"[ \t]+(?=\n|$)")]
    private static partial Regex TrailingSpaces();

    [GeneratedRegex(@"[ \u00A0]{2,}")]
    private static partial Regex SpaceRuns();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex BlankLineRuns();
}
