package dev.facerender.report;

import static java.util.Objects.requireNonNull;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Charts as PNG bytes from plain data, for HTML reports (embed with {@link #dataUri}). Points are
 * {@code double[]{x, y}}; series keep the iteration order of the map, so pass a {@code
 * LinkedHashMap} or a {@code TreeMap} for a stable legend. Empty series are left out; a chart with
 * no points at all still renders, with its title and an empty plot. Text is drawn in {@link
 * ReportFont}, never in a font of the system's.
 */
public final class Charts {
  public static final int WIDTH = 860;
  public static final int HEIGHT = 380;

  static {
    Headless.ensure();
  }

  private Charts() {}

  /** Lines through each series' points, in the order given. */
  public static byte[] line(
      String title, String xLabel, String yLabel, Map<String, List<double[]>> series) {
    return lineWithMarks(title, xLabel, yLabel, series, Map.of());
  }

  /** Unconnected markers. */
  public static byte[] scatter(
      String title, String xLabel, String yLabel, Map<String, List<double[]>> series) {
    return lineWithMarks(title, xLabel, yLabel, Map.of(), series);
  }

  /**
   * Lines, with marks drawn over them as unconnected markers (OOMs on a batch-size curve, single
   * measurements over an average).
   */
  public static byte[] lineWithMarks(
      String title,
      String xLabel,
      String yLabel,
      Map<String, List<double[]>> lines,
      Map<String, List<double[]>> marks) {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(requireNonNull(title, "title is null"))
            .xAxisTitle(requireNonNull(xLabel, "xLabel is null"))
            .yAxisTitle(requireNonNull(yLabel, "yLabel is null"))
            .build();
    style(chart.getStyler());
    chart.getStyler().setMarkerSize(7);
    int added = 0;
    for (Map.Entry<String, List<double[]>> s : lines.entrySet()) {
      XYSeries series = addXy(chart, s.getKey(), s.getValue());
      if (series != null) {
        series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        if (s.getValue().size() > 40) {
          series.setMarker(SeriesMarkers.NONE);
        }
        added++;
      }
    }
    for (Map.Entry<String, List<double[]>> s : marks.entrySet()) {
      XYSeries series = addXy(chart, s.getKey(), s.getValue());
      if (series != null) {
        series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        added++;
      }
    }
    if (added == 0) {
      noData(chart);
    }
    return png(chart);
  }

  /**
   * Bars: one group per category, one bar per series ({@code values.get(name).get(i)} belongs to
   * {@code categories.get(i)}); {@code stacked} piles the series of a category into one bar.
   */
  public static byte[] bars(
      String title,
      String xLabel,
      String yLabel,
      List<String> categories,
      Map<String, List<Double>> values,
      boolean stacked) {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(requireNonNull(title, "title is null"))
            .xAxisTitle(requireNonNull(xLabel, "xLabel is null"))
            .yAxisTitle(requireNonNull(yLabel, "yLabel is null"))
            .build();
    style(chart.getStyler());
    chart.getStyler().setStacked(stacked);
    chart.getStyler().setOverlapped(false);
    if (categories.size() > 12) {
      chart.getStyler().setXAxisLabelRotation(60);
    }
    for (Map.Entry<String, List<Double>> s : values.entrySet()) {
      List<Double> ys = s.getValue();
      if (ys.size() != categories.size()) {
        throw new IllegalArgumentException(
            String.format(
                "Series '%s' of chart '%s' has %d values for %d categories",
                s.getKey(), title, ys.size(), categories.size()));
      }
      for (Double y : ys) {
        finite(s.getKey(), "bar", y);
      }
    }
    if (categories.isEmpty() || values.isEmpty()) {
      // XChart cannot lay out a category axis without categories.
      return lineWithMarks(title, xLabel, yLabel, Map.of(), Map.of());
    }
    for (Map.Entry<String, List<Double>> s : values.entrySet()) {
      chart.addSeries(s.getKey(), new ArrayList<>(categories), new ArrayList<>(s.getValue()));
    }
    return png(chart);
  }

  /** {@code data:image/png;base64,...} for an {@code <img src>}. */
  public static String dataUri(byte[] png) {
    return dataUri("image/png", png);
  }

  /** {@code data:MIME;base64,...}, for GIF previews and other pictures. */
  public static String dataUri(String mime, byte[] bytes) {
    return "data:" + mime + ";base64," + Base64.getEncoder().encodeToString(bytes);
  }

  private static XYSeries addXy(XYChart chart, String name, List<double[]> points) {
    if (points.isEmpty()) {
      return null;
    }
    double[] xs = new double[points.size()];
    double[] ys = new double[points.size()];
    for (int i = 0; i < points.size(); i++) {
      double[] p = points.get(i);
      if (p == null || p.length != 2) {
        throw new IllegalArgumentException(
            String.format(
                "Point %d of series '%s' must be {x, y}, got %s",
                i, name, p == null ? "null" : p.length + " values"));
      }
      xs[i] = finite(name, "x", p[0]);
      ys[i] = finite(name, "y", p[1]);
    }
    return chart.addSeries(name, xs, ys);
  }

  private static double finite(String series, String what, Double value) {
    if (value == null || !Double.isFinite(value)) {
      throw new IllegalArgumentException(
          String.format(
              "Series '%s' has a %s value that is not a finite number: %s", series, what, value));
    }
    return value;
  }

  private static void noData(XYChart chart) {
    // A series-free XYChart has no axis range; one invisible point gives it one.
    XYSeries empty = chart.addSeries("no data", new double[] {0}, new double[] {0});
    empty.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    empty.setMarker(SeriesMarkers.NONE);
  }

  /** Our colours and layout, and every text of the chart in {@link ReportFont}. */
  static void style(AxesChartStyler styler) {
    styler.setBaseFont(ReportFont.like(styler.getBaseFont()));
    styler.setChartTitleFont(ReportFont.like(styler.getChartTitleFont()));
    styler.setLegendFont(ReportFont.like(styler.getLegendFont()));
    styler.setAxisTitleFont(ReportFont.like(styler.getAxisTitleFont()));
    styler.setAxisTickLabelsFont(ReportFont.like(styler.getAxisTickLabelsFont()));
    styler.setAnnotationTextFont(ReportFont.like(styler.getAnnotationTextFont()));
    styler.setAnnotationTextPanelFont(ReportFont.like(styler.getAnnotationTextPanelFont()));
    styler.setToolTipFont(ReportFont.like(styler.getToolTipFont()));
    styler.setChartButtonFont(ReportFont.like(styler.getChartButtonFont()));
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotBackgroundColor(Color.WHITE);
    styler.setPlotBorderVisible(false);
    styler.setPlotGridLinesColor(new Color(0xe4e4e4));
    styler.setLegendPosition(Styler.LegendPosition.OutsideS);
    styler.setLegendLayout(Styler.LegendLayout.Horizontal);
    styler.setLegendBorderColor(Color.WHITE);
    styler.setLocale(Locale.ROOT);
    styler.setAntiAlias(true);
  }

  private static byte[] png(Chart<?, ?> chart) {
    try {
      return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not encode chart as PNG", e);
    }
  }
}
