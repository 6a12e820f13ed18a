package io.github.alpa4j.engine.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The charts of the reports, drawn by XChart and kept as SVG to inline in a page. */
public final class Charts {
    /** Forward passes, backward passes, and everything else. */
    static final Color FORWARD = new Color(0x1f77b4);
    static final Color BACKWARD = new Color(0xff7f0e);
    static final Color OTHER = new Color(0x7f7f7f);

    private Charts() {
    }

    /** A line chart of several series over one x axis. */
    public static XYChart lines(String title, String xTitle, String yTitle) {
        XYChart c = new XYChartBuilder().width(860).height(360).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        c.getStyler().setMarkerSize(4);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        return c;
    }

    /** Adds a line without markers. */
    public static XYSeries line(XYChart c, String name, double[] x, double[] y, Color color) {
        XYSeries s = c.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.NONE);
        if (color != null) {
            s.setLineColor(color);
        }
        return s;
    }

    /** One bar of a Gantt chart: row {@code row} busy from {@code start} to {@code end}. */
    public record Bar(int row, double start, double end, String label, Color color) {
    }

    /** A Gantt chart: each bar a thick horizontal segment on its row (rows counted from the top, each named above its bars). */
    public static XYChart gantt(String title, String xTitle, List<String> rows, List<Bar> bars) {
        XYChart c = new XYChartBuilder().width(860).height(90 + 56 * rows.size()).title(title).xAxisTitle(xTitle).build();
        c.getStyler().setLegendVisible(false);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setYAxisMin(-0.5);
        c.getStyler().setYAxisMax(rows.size() - 0.5);
        c.getStyler().setYAxisTicksVisible(false);
        double lo = bars.stream().mapToDouble(Bar::start).min().orElse(0);
        double hi = bars.stream().mapToDouble(Bar::end).max().orElse(1);
        int i = 0;
        for (Bar b : bars) {
            double y = rows.size() - 1 - b.row();
            XYSeries s = c.addSeries("bar " + i++ + " " + b.label(), new double[] {b.start(), b.end()}, new double[] {y, y});
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(b.color());
            s.setLineStyle(new BasicStroke(18f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER));
        }
        for (int r = 0; r < rows.size(); r++) {
            // the row's name just above its bars, at the chart's left
            c.addAnnotation(new AnnotationText(rows.get(r), lo + 0.04 * (hi - lo), rows.size() - 1 - r + 0.36, false));
        }
        return c;
    }

    /**
     * A count axis (steps, nodes: every x a whole number) gets explicit round bounds: XChart puts a tick at
     * every few whole numbers of such data, which crowds long axes into unreadable labels.
     */
    static void roundCountAxis(XYChart chart) {
        if (chart.getStyler().getXAxisMin() != null || chart.getStyler().getXAxisMax() != null) {
            return;
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (XYSeries s : chart.getSeriesMap().values()) {
            for (double x : s.getXData()) {
                if (x != Math.rint(x)) {
                    return;
                }
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
        }
        if (hi - lo < 20) {
            return;
        }
        double unit = Math.pow(10, Math.floor(Math.log10(hi - lo)));
        chart.getStyler().setXAxisMin(Math.floor(lo / unit) * unit);
        chart.getStyler().setXAxisMax(Math.ceil(hi / unit) * unit);
    }

    /** The chart as an SVG element (no XML prologue), to place in a page. */
    public static String svg(XYChart chart) {
        roundCountAxis(chart);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot draw " + chart.getTitle(), e);
        }
        String s = out.toString(StandardCharsets.UTF_8);
        int start = s.indexOf("<svg");
        return start < 0 ? s : s.substring(start);
    }
}
