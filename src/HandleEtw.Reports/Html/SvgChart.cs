using System.Globalization;
using System.Text;
using HandleEtw.Reports.Collect;

namespace HandleEtw.Reports.Html;

/// <summary>A time chart as inline SVG: one polyline per series, axes with round ticks, the diff window shaded.</summary>
public static class SvgChart
{
    public const int Width = 960, Height = 320;
    private const int Left = 64, Right = 16, Top = 16, Bottom = 40;
    private const int PlotWidth = Width - Left - Right, PlotHeight = Height - Top - Bottom;

    public static readonly string[] Palette =
        ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

    public static void Write(StringBuilder html, TimeChart chart)
    {
        int points = chart.Series.Sum(s => Math.Min(s.Values.Count, TimesOf(chart, s).Count));
        html.Append($"<svg class=\"chart\" id=\"{chart.Id}\" role=\"img\" aria-label=\"{HtmlText.Encode(chart.Title)}\" ")
            .Append($"viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" data-points=\"{points}\">\n");
        double xMax = chart.Series.Select(s => TimesOf(chart, s)).Append(chart.Times)
            .Select(t => t.Count > 0 ? t[^1] : 0).Append(chart.WindowTo ?? 0).Max();
        if (xMax <= 0) xMax = 1;
        int yMax = NiceCeiling(chart.Series.SelectMany(s => s.Values).DefaultIfEmpty(0).Max());
        double X(double t) => Left + Math.Clamp(t / xMax, 0, 1) * PlotWidth;
        double Y(double v) => Top + PlotHeight - v / yMax * PlotHeight;

        Window(html, chart, X);
        Axes(html, chart, xMax, yMax, X, Y);
        if (points == 0)
            html.Append($"<text class=\"empty\" x=\"{Left + PlotWidth / 2}\" y=\"{Top + PlotHeight / 2}\" text-anchor=\"middle\">no data</text>\n");
        for (int i = 0; i < chart.Series.Count; i++) Line(html, chart, i, X, Y);
        html.Append("</svg>\n");
        Legend(html, chart);
    }

    private static void Window(StringBuilder html, TimeChart chart, Func<double, double> x)
    {
        if (chart.WindowFrom is not double from) return;
        double to = chart.WindowTo ?? (chart.Times.Count > 0 ? chart.Times[^1] : from);
        double x0 = x(from), x1 = Math.Max(x(to), x0 + 1);
        html.Append($"<rect class=\"window\" x=\"{F(x0)}\" y=\"{Top}\" width=\"{F(x1 - x0)}\" height=\"{PlotHeight}\">")
            .Append($"<title>diff window {F(from)} s to {F(to)} s</title></rect>\n")
            .Append($"<text class=\"window-label\" x=\"{F(x0 + 4)}\" y=\"{Top + 12}\">diff window</text>\n");
    }

    private static void Axes(StringBuilder html, TimeChart chart, double xMax, int yMax, Func<double, double> x, Func<double, double> y)
    {
        html.Append($"<g class=\"axis\"><line x1=\"{Left}\" y1=\"{Top + PlotHeight}\" x2=\"{Left + PlotWidth}\" y2=\"{Top + PlotHeight}\"/>")
            .Append($"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Top + PlotHeight}\"/>\n");
        double yStep = Math.Max(1, NiceStep(yMax));
        for (double v = 0; v <= yMax + 1e-9; v += yStep)
            html.Append($"<line class=\"grid\" x1=\"{Left}\" y1=\"{F(y(v))}\" x2=\"{Left + PlotWidth}\" y2=\"{F(y(v))}\"/>")
                .Append($"<text x=\"{Left - 6}\" y=\"{F(y(v) + 4)}\" text-anchor=\"end\">{v.ToString("N0", CultureInfo.InvariantCulture)}</text>\n");
        double xStep = NiceStep(xMax);
        for (double t = 0; t <= xMax + 1e-9; t += xStep)
            html.Append($"<text x=\"{F(x(t))}\" y=\"{Top + PlotHeight + 16}\" text-anchor=\"middle\">{F(t)}</text>\n");
        html.Append($"<text class=\"x-label\" x=\"{Left + PlotWidth / 2}\" y=\"{Height - 4}\" text-anchor=\"middle\">{HtmlText.Encode(chart.XLabel)}</text>\n")
            .Append($"<text class=\"y-label\" x=\"{-(Top + PlotHeight / 2)}\" y=\"12\" transform=\"rotate(-90)\" text-anchor=\"middle\">")
            .Append(HtmlText.Encode(chart.YLabel)).Append("</text></g>\n");
    }

    private static void Line(StringBuilder html, TimeChart chart, int index, Func<double, double> x, Func<double, double> y)
    {
        ChartSeries s = chart.Series[index];
        IReadOnlyList<double> times = TimesOf(chart, s);
        int n = Math.Min(s.Values.Count, times.Count);
        html.Append($"<polyline class=\"series\" data-series=\"{index}\" stroke=\"{Palette[index % Palette.Length]}\"")
            .Append(s.Dashed ? " stroke-dasharray=\"8 5\"" : "").Append(" points=\"");
        for (int i = 0; i < n; i++)
        {
            if (i > 0) html.Append(' ');
            html.Append(F(x(times[i]))).Append(',').Append(F(y(s.Values[i])));
        }
        int last = n > 0 ? s.Values[n - 1] : 0;
        html.Append($"\"><title>{HtmlText.Encode(s.Label)}: {last:N0} at the end\n{HtmlText.Encode(s.Detail)}</title></polyline>\n");
    }

    private static void Legend(StringBuilder html, TimeChart chart)
    {
        html.Append($"<ul class=\"legend\" data-chart=\"{chart.Id}\">\n");
        for (int i = 0; i < chart.Series.Count; i++)
        {
            ChartSeries s = chart.Series[i];
            html.Append($"<li data-series=\"{i}\" title=\"{HtmlText.Encode(s.Detail)}\"><span class=\"swatch\" style=\"background:{Palette[i % Palette.Length]}\"></span>")
                .Append(HtmlText.Encode(s.Label)).Append("</li>\n");
        }
        html.Append("</ul>\n");
    }

    private static IReadOnlyList<double> TimesOf(TimeChart chart, ChartSeries s) => s.Times ?? chart.Times;

    /// <summary>1, 2 or 5 × 10^k at or above <paramref name="value"/>, so the axis ends on a round number.</summary>
    internal static int NiceCeiling(int value)
    {
        if (value <= 1) return 1;
        double step = NiceStep(value);
        return (int)Math.Min(int.MaxValue, Math.Ceiling(value / step) * step);
    }

    /// <summary>A round tick spacing giving 4-10 ticks over [0, range].</summary>
    internal static double NiceStep(double range)
    {
        if (range <= 0) return 1;
        double raw = range / 5, magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double f = raw / magnitude;
        double step = (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * magnitude;
        return range >= 5 ? Math.Max(1, step) : step;
    }

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
}
