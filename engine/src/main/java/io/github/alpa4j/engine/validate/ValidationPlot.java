package io.github.alpa4j.engine.validate;

import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.io.OutputFile;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Predicted against measured iteration time of every case, log-log, one series per model, beside the line where they agree. */
public final class ValidationPlot {
    private ValidationPlot() {
    }

    public static void write(Path file, ValidationReport report) {
        if (!file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".svg")) {
            throw new UserInputException("--plot " + file + ": the name must end in .svg");
        }
        XYChart chart = new XYChartBuilder().width(900).height(700)
                .title(String.format(Locale.ROOT, "cost model of %s: median error %.1f %%, largest %.1f %%", report.cluster(),
                        100 * report.medianError(), 100 * report.largestError()))
                .xAxisTitle("predicted iteration time (ms)").yAxisTitle("measured iteration time (ms)").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setMarkerSize(10);
        Map<String, List<Validator.Result>> byModel = new TreeMap<>();
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (Validator.Result r : report.results()) {
            byModel.computeIfAbsent(r.c().model(), k -> new ArrayList<>()).add(r);
            lo = Math.min(lo, Math.min(r.predicted(), r.measured()));
            hi = Math.max(hi, Math.max(r.predicted(), r.measured()));
        }
        byModel.forEach((model, rs) -> chart.addSeries(model, rs.stream().mapToDouble(r -> 1e3 * r.predicted()).toArray(),
                rs.stream().mapToDouble(r -> 1e3 * r.measured()).toArray()));
        XYSeries same = chart.addSeries("predicted = measured", new double[] {1e3 * lo / 1.2, 1e3 * hi * 1.2},
                new double[] {1e3 * lo / 1.2, 1e3 * hi * 1.2});
        same.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        same.setMarker(SeriesMarkers.NONE);
        same.setLineColor(Color.GRAY);
        try {
            Path tmp = Files.createTempFile("alpa4j-validate", ".svg");
            try {
                VectorGraphicsEncoder.saveVectorGraphic(chart, tmp.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
                OutputFile.write(file, Files.readAllBytes(tmp));
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UserInputException("cannot write plot " + file + ": " + e.getMessage(), e);
        }
    }
}
