package io.github.alpa4j.energy.cli;

import io.github.alpa4j.energy.EnergyInputException;
import io.github.alpa4j.energy.frontier.Frontier;
import io.github.alpa4j.energy.frontier.FrontierPoint;
import io.github.alpa4j.energy.plan.ChosenPlan;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Iteration time against energy: every frontier step, its Pareto points, and the chosen point. SVG or PNG by extension. */
final class FrontierPlot {
    private FrontierPlot() {
    }

    /** The plot as {@code file} will hold it: SVG or PNG by its extension. */
    static byte[] render(Path file, Frontier frontier, ChosenPlan chosen, String title) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".svg") && !name.endsWith(".png")) {
            throw new EnergyInputException("plot " + file + ": the name must end in .svg or .png");
        }
        XYChart chart = new XYChartBuilder().width(900).height(600).title(title)
                .xAxisTitle("iteration time (s)").yAxisTitle("energy per iteration (J)").build();
        chart.getStyler().setMarkerSize(11);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        add(chart, "every step", frontier.points()).setLineColor(Color.LIGHT_GRAY);
        add(chart, "Pareto frontier", frontier.paretoPoints()).setLineColor(new Color(0x1f77b4));
        XYSeries point = chart.addSeries(String.format(Locale.ROOT, "chosen: %.4f s, %.1f J (%.2f %% saved)",
                        chosen.point().timeSeconds(), chosen.energyJoules(), chosen.savingPercent()),
                new double[] {chosen.point().timeSeconds()}, new double[] {chosen.energyJoules()});
        point.setMarker(SeriesMarkers.DIAMOND);
        point.setMarkerColor(new Color(0xd62728));
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try {
            if (name.endsWith(".svg")) {
                VectorGraphicsEncoder.saveVectorGraphic(chart, bytes, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            } else {
                BitmapEncoder.saveBitmap(chart, bytes, BitmapEncoder.BitmapFormat.PNG);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot draw plot " + file, e);
        }
        return bytes.toByteArray();
    }

    private static XYSeries add(XYChart chart, String name, List<FrontierPoint> points) {
        double[] time = points.stream().mapToDouble(FrontierPoint::timeSeconds).toArray();
        double[] energy = points.stream().mapToDouble(FrontierPoint::energyJoules).toArray();
        XYSeries series = chart.addSeries(name, time, energy);
        series.setMarker(SeriesMarkers.NONE);
        return series;
    }
}
