namespace HandleEtw.Reports.Html;

/// <summary>The page's inline style and script. The script uses neither '&lt;' nor '&amp;' so the page stays valid XML.</summary>
internal static class PageAssets
{
    /// <summary>Nothing may load from anywhere: only inline style and script, images only as data: URLs.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

    public const string Style = """
body { font: 14px/1.45 system-ui, "Segoe UI", Arial, sans-serif; margin: 0 auto; max-width: 1000px; padding: 16px; color: #1b1b1b; }
h1 { font-size: 22px; margin: 0 0 8px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; }
h3 { font-size: 15px; margin: 16px 0 4px; }
.alert { background: #c62828; color: #fff; padding: 10px 14px; border-radius: 4px; font-weight: 600; margin: 8px 0 12px; }
.ok { color: #2e7d32; }
#summary ul.verdict { margin: 8px 0 12px; padding-left: 20px; font-size: 15px; }
table { border-collapse: collapse; margin: 4px 0 8px; } th, td { padding: 3px 10px; text-align: left; border-bottom: 1px solid #eee; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.up { color: #c62828; } .down { color: #2e7d32; }
svg.chart { display: block; max-width: 100%; height: auto; background: #fafafa; border: 1px solid #e4e4e4; }
svg.chart text { font-size: 11px; fill: #555; } svg.chart .axis line { stroke: #999; } svg.chart line.grid { stroke: #e6e6e6; }
svg.chart polyline { fill: none; stroke-width: 2; } svg.chart polyline.hidden { display: none; }
svg.chart rect.window { fill: #ffb300; fill-opacity: 0.18; stroke: #ffb300; } svg.chart .window-label { fill: #8d6e00; }
ul.legend { list-style: none; padding: 0; margin: 6px 0 12px; } ul.legend li { cursor: pointer; margin: 2px 0; font-size: 13px; }
ul.legend li.off { opacity: 0.4; text-decoration: line-through; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: -1px; border-radius: 2px; }
ol.leaks > li, ul.held > li { margin: 8px 0; } details > summary { cursor: pointer; color: #1565c0; }
pre { background: #f5f5f5; padding: 8px; overflow-x: auto; margin: 4px 0; font: 12px/1.4 Consolas, "DejaVu Sans Mono", monospace; }
.muted { color: #777; } #render-facts { display: none; }
""";

    /// <summary>Legend clicks hide or show a series; the facts line records what rendered (read by tests).</summary>
    public const string Script = """
(function () {
  document.querySelectorAll('ul.legend li').forEach(function (item) {
    item.addEventListener('click', function () {
      var chart = document.getElementById(item.parentNode.getAttribute('data-chart'));
      var line = chart.querySelector('polyline[data-series="' + item.getAttribute('data-series') + '"]');
      if (line) { line.classList.toggle('hidden'); item.classList.toggle('off'); }
    });
  });
  var facts = { charts: [] };
  document.querySelectorAll('svg.chart').forEach(function (svg) {
    var box = svg.getBoundingClientRect(), points = 0, drawn = 0;
    svg.querySelectorAll('polyline').forEach(function (line) {
      points += line.points.numberOfItems;
      var b = line.getBBox();
      if (b.width > 0) drawn++;
    });
    facts.charts.push({ id: svg.id, width: Math.round(box.width), height: Math.round(box.height),
                        series: svg.querySelectorAll('polyline').length, drawn: drawn, points: points });
  });
  var first = document.querySelector('#leaks ol.leaks pre');
  facts.firstLeakStack = first ? first.textContent : '';
  facts.renderMs = Math.round(performance.now());
  document.getElementById('render-facts').textContent = JSON.stringify(facts);
})();
""";
}
