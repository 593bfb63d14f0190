using System.Text;
using System.Text.RegularExpressions;

namespace ActorTrain.Data.Collection;

/// <summary>
/// roff man-page source to readable text: section headings kept as lines, font and paragraph
/// macros turned into plain text and breaks, comments and layout requests dropped, the common
/// escapes (\fB, \-, \(em, \e, \&amp;) resolved. Enough for the machine's own documentation.
/// </summary>
public static partial class ManPageText
{
    public static string Convert(string roff)
    {
        var text = new StringBuilder(roff.Length);
        foreach (string raw in roff.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.StartsWith(".\\\"", StringComparison.Ordinal) || line.StartsWith("'\\\"", StringComparison.Ordinal) || line == ".") continue;
            if (line.StartsWith('.') || line.StartsWith('\''))
            {
                var (macro, arguments) = SplitMacro(line[1..]);
                switch (macro)
                {
                    case "SH" or "SS":
                        text.Append('\n').Append(Inline(arguments)).Append('\n');
                        break;
                    case "PP" or "P" or "LP" or "sp" or "TP" or "IP" or "HP":
                        text.Append('\n');
                        if (macro == "IP" && arguments.Length > 0) text.Append(Inline(arguments)).Append(' ');
                        break;
                    case "br":
                        text.Append('\n');
                        break;
                    case "B" or "I" or "BR" or "RB" or "IR" or "RI" or "BI" or "IB" or "SM" or "SB":
                        text.Append(Inline(macro.Length == 2 ? JoinAlternating(arguments) : arguments)).Append('\n');
                        break;
                    // .TH, .nf, .fi, .in, .RS, .RE, .ad, .na, .ft, .ne, .hy, .ds ... : layout only
                }
                continue;
            }
            text.Append(Inline(line)).Append('\n');
        }
        return BlankRuns().Replace(text.ToString(), "\n\n").Trim();
    }

    private static (string Macro, string Arguments) SplitMacro(string line)
    {
        int space = line.IndexOfAny([' ', '\t']);
        return space < 0 ? (line.Trim(), "") : (line[..space].Trim(), line[(space + 1)..].Trim());
    }

    // .BR "a" b "c" alternates fonts with no spaces between the pieces.
    private static string JoinAlternating(string arguments) =>
        string.Concat(QuotedOrBare().Matches(arguments).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Value));

    private static string Inline(string text)
    {
        text = FontEscape().Replace(text, "");
        text = text.Replace("\\-", "-").Replace("\\(em", "—").Replace("\\(en", "–").Replace("\\(aq", "'")
            .Replace("\\(dq", "\"").Replace("\\(bu", "•").Replace("\\e", "\\").Replace("\\&", "").Replace("\\ ", " ")
            .Replace("\\|", "").Replace("\\^", "").Replace("\\c", "");
        text = OtherSpecialCharacter().Replace(text, "");
        return text.Trim('"');
    }

    // Escape names are short: bounded, an unclosed "\f[" does not scan the rest of the text from each one.
    [GeneratedRegex(@"\\f(?:\[[^\]]{0,64}\]|\(..|.)")]
    private static partial Regex FontEscape();

    [GeneratedRegex(@"\\\(..|\\\[[^\]]{0,64}\]")]
    private static partial Regex OtherSpecialCharacter();

    [GeneratedRegex(@"""([^""]*)""|\S+")]
    private static partial Regex QuotedOrBare();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex BlankRuns();
}
