using System.Net;
using System.Text.RegularExpressions;
using ActorTrain.Data.Documents;

namespace ActorTrain.Data.Cleaning.Pii;

/// <summary>
/// Replaces e-mail addresses, public IPv4 addresses (private, loopback, link-local, shared and
/// multicast ranges are not personal and stay), phone numbers and common credentials (cloud and
/// VCS tokens, private key blocks, "password = ..." assignments) with placeholders. Never drops.
/// </summary>
public sealed partial class PiiStage(PiiPlaceholders placeholders) : IDocumentStage
{
    public string Name => "pii";

    public StageResult Apply(Document document) => StageResult.Keep(document.WithText(Scrub(document.Text)));

    public string Scrub(string text)
    {
        // Secrets first: a token can contain digits that would otherwise look like a phone number.
        text = PrivateKeyBlock().Replace(text, placeholders.Secret);
        text = KnownTokens().Replace(text, placeholders.Secret);
        text = SecretAssignment().Replace(text, m => m.Groups["name"].Value + m.Groups["sep"].Value + placeholders.Secret);
        // The regex tries every word boundary; most texts have no '@' at all, which one vectorized scan tells.
        if (text.Contains('@')) text = Email().Replace(text, placeholders.Email);
        text = Ipv4().Replace(text, m => IsPublic(m.Value) ? placeholders.IpAddress : m.Value);
        text = Phone().Replace(text, placeholders.Phone);
        return text;
    }

    private static bool IsPublic(string address)
    {
        if (!IPAddress.TryParse(address, out var ip)) return false;
        byte[] o = ip.GetAddressBytes();
        return !(o[0] == 0 || o[0] == 10 || o[0] == 127 || o[0] >= 224
                 || (o[0] == 100 && o[1] >= 64 && o[1] < 128)
                 || (o[0] == 169 && o[1] == 254)
                 || (o[0] == 172 && o[1] >= 16 && o[1] < 32)
                 || (o[0] == 192 && o[1] == 168));
    }

    // The body stops at the next run of five dashes (the END line, or another BEGIN): a lazy [\s\S]*? scanned from
    // every BEGIN to the text's end, quadratic in a document of BEGIN lines without an END (4 MB of them: minutes).
    [GeneratedRegex(@"-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----(?:[^-]|-(?!----))*-----END [A-Z ]{0,40}PRIVATE KEY-----")]
    private static partial Regex PrivateKeyBlock();

    // AWS access key ids, GitHub tokens, Slack tokens, Google API keys, OpenAI-style keys.
    [GeneratedRegex(@"\b(?:AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,}|xox[abposr]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_\-]{35}|sk-[A-Za-z0-9]{20,})\b")]
    private static partial Regex KnownTokens();

    [GeneratedRegex(@"(?<name>\b(?:api[_-]?key|secret(?:[_-]?key)?|access[_-]?token|auth[_-]?token|password|passwd)\b)(?<sep>\s*[:=]\s*[""']?)[^\s""']{8,}", RegexOptions.IgnoreCase)]
    private static partial Regex SecretAssignment();

    // Bounded as addresses are (local part 64, labels 63, at most 10 of them): unbounded, the match tried from every
    // word boundary of a long "a.a.a..." run scanned to its end, quadratic in it.
    [GeneratedRegex(@"\b[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){0,8}\.[A-Za-z]{2,24}\b")]
    private static partial Regex Email();

    [GeneratedRegex(@"\b(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\b")]
    private static partial Regex Ipv4();

    // +CC and (area) forms, 10 or more digits in groups: "+44 20 7946 0958", "(555) 123-4567", "555-123-4567".
    // Not inside longer numbers, words or dotted versions ("1.555-123-4567.2"), but a sentence's
    // closing period may follow.
    [GeneratedRegex(@"(?<!\w)(?<!\d\.)(?:\+\d{1,3}[ .\-]?)?(?:\(\d{2,4}\)[ .\-]?|\d{2,4}[ .\-])\d{3,4}[ .\-]\d{3,4}(?!\w)(?!\.\d)")]
    private static partial Regex Phone();
}
