using System.Text;

namespace HandleEtw.Reports.Html;

/// <summary>
/// Escapes text from the trace for HTML text and quoted attributes. Characters that XML forbids (controls, lone
/// surrogates) become U+FFFD, so the page also parses as XML and a crafted name cannot break out of its element.
/// </summary>
public static class HtmlText
{
    public static string Encode(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text.Length + 16);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            switch (c)
            {
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '&': sb.Append("&amp;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                case '\t' or '\n' or '\r': sb.Append(c); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        sb.Append(c).Append(text[++i]);
                    }
                    else if (c < 0x20 || char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF' || (c >= 0x7F && c <= 0x9F))
                    {
                        sb.Append('\uFFFD');
                    }
                    else sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }
}
