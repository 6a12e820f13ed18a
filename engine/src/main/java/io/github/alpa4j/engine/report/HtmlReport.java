package io.github.alpa4j.engine.report;

import io.github.alpa4j.engine.io.OutputFile;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;

/**
 * One self-contained HTML page: styles, charts (inline SVG drawn by XChart) and the few lines of script
 * inline, nothing fetched, so it opens from disk. On load the script counts the charts that have drawn
 * (a non-empty box) into {@code body[data-charts-drawn]}, beside {@code data-charts}, for a headless
 * browser to check.
 */
public final class HtmlReport {
    private static final String STYLE = """
            body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 960px; color: #222; }
            h1 { font-size: 1.6em; border-bottom: 2px solid #1f77b4; padding-bottom: .2em; }
            h2 { font-size: 1.2em; margin-top: 2em; color: #1f4f7f; }
            table { border-collapse: collapse; margin: .5em 0 1em; font-size: .9em; }
            th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: left; font-variant-numeric: tabular-nums; }
            th { background: #eef3f8; }
            td.num { text-align: right; }
            .chart { margin: .5em 0 1.5em; }
            .chart svg { max-width: 100%; height: auto; }
            .note { color: #555; font-size: .9em; }
            pre { white-space: pre-wrap; word-break: break-word; font-size: .85em; }
            dl { display: grid; grid-template-columns: max-content auto; gap: .2em 1.2em; }
            dt { font-weight: 600; }
            """;
    private static final String SCRIPT = """
            window.addEventListener('load', function () {
              var charts = document.querySelectorAll('div.chart svg');
              var drawn = 0;
              charts.forEach(function (s) { var b = s.getBBox(); if (b.width > 0 && b.height > 0) { drawn++; } });
              document.body.setAttribute('data-charts', String(charts.length));
              document.body.setAttribute('data-charts-drawn', String(drawn));
            });
            """;

    private final String title;
    private final List<String> parts = new ArrayList<>();
    private int charts;

    public HtmlReport(String title) {
        this.title = title;
    }

    public HtmlReport heading(String text) {
        parts.add("<h2>" + escape(text) + "</h2>");
        return this;
    }

    public HtmlReport paragraph(String text) {
        parts.add("<p class=\"note\">" + escape(text) + "</p>");
        return this;
    }

    /** A preformatted block (a text Gantt chart, a table the CLI prints). */
    public HtmlReport text(String text) {
        parts.add("<pre>" + escape(text) + "</pre>");
        return this;
    }

    public HtmlReport facts(Map<String, String> facts) {
        StringBuilder sb = new StringBuilder("<dl>");
        facts.forEach((k, v) -> sb.append("<dt>").append(escape(k)).append("</dt><dd>").append(escape(v)).append("</dd>"));
        parts.add(sb.append("</dl>").toString());
        return this;
    }

    /** A table; cells that read as numbers are right-aligned. */
    public HtmlReport table(List<String> header, List<List<String>> rows) {
        StringBuilder sb = new StringBuilder("<table><thead><tr>");
        header.forEach(h -> sb.append("<th>").append(escape(h)).append("</th>"));
        sb.append("</tr></thead><tbody>");
        for (List<String> row : rows) {
            sb.append("<tr>");
            for (String cell : row) {
                boolean num = cell.matches("[-+]?[0-9.,]+\\s*(%|[a-zA-Zµ]{0,3}|/s)?");
                sb.append(num ? "<td class=\"num\">" : "<td>").append(escape(cell)).append("</td>");
            }
            sb.append("</tr>");
        }
        parts.add(sb.append("</tbody></table>").toString());
        return this;
    }

    public HtmlReport chart(XYChart chart) {
        charts++;
        parts.add("<div class=\"chart\">" + Charts.svg(chart) + "</div>");
        return this;
    }

    /** Charts in the page. */
    public int charts() {
        return charts;
    }

    public String render() {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        sb.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        sb.append("<title>").append(escape(title)).append("</title><style>").append(STYLE).append("</style>");
        sb.append("<script>").append(SCRIPT).append("</script></head><body><h1>").append(escape(title)).append("</h1>");
        sb.append("<p class=\"note\">alpa4j, ").append(Instant.now()).append("</p>");
        parts.forEach(sb::append);
        return sb.append("</body></html>\n").toString();
    }

    /** Writes the page whole or not at all. */
    public void write(Path file) {
        OutputFile.write(file, render());
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
