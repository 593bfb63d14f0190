using AngleSharp.Html.Parser;

namespace ActorTrain.Data.Collection;

/// <summary>
/// The main text of an HTML page: SmartReader's article extraction (Mozilla Readability's rules,
/// which drop navigation, sidebars and footers); where it finds no article, the body's text with
/// scripts, styles, navigation, headers, footers and forms removed (AngleSharp).
/// </summary>
public static class HtmlText
{
    private static readonly string[] Boilerplate = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe"];

    public static (string Text, string? Title) Extract(string html, string url)
    {
        var article = SmartReader.Reader.ParseArticle(url, html);
        if (article.IsReadable && !string.IsNullOrWhiteSpace(article.TextContent))
            return (article.TextContent.Trim(), string.IsNullOrWhiteSpace(article.Title) ? null : article.Title);

        var document = new HtmlParser().ParseDocument(html);
        foreach (var element in document.QuerySelectorAll(string.Join(',', Boilerplate)).ToArray()) element.Remove();
        string text = document.Body?.TextContent ?? "";
        return (string.Join('\n', text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)), document.Title);
    }
}
