package dev.facerender.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ChartsTest {
  private static final Map<String, List<double[]>> TWO_SERIES = new LinkedHashMap<>();

  static {
    TWO_SERIES.put("batch 4", List.of(new double[] {0, 10}, new double[] {1, 30}));
    TWO_SERIES.put("batch 8", List.of(new double[] {0, 20}, new double[] {1, 5}));
  }

  @Test
  void aLineChartIsAPngOfTheDeclaredSizeWithTheSeriesDrawn() throws IOException {
    BufferedImage chart = decode(Charts.line("fps", "s", "frames/s", TWO_SERIES));
    BufferedImage empty = decode(Charts.line("fps", "s", "frames/s", Map.of()));

    assertThat(chart.getWidth()).isEqualTo(Charts.WIDTH);
    assertThat(chart.getHeight()).isEqualTo(Charts.HEIGHT);
    assertThat(colours(chart)).isGreaterThan(colours(empty));
    assertThat(differingPixels(chart, empty)).isGreaterThan(1000);
  }

  @Test
  void scatterAndMarksDrawSomethingDifferentFromLines() throws IOException {
    BufferedImage lines = decode(Charts.line("t", "x", "y", TWO_SERIES));
    BufferedImage scatter = decode(Charts.scatter("t", "x", "y", TWO_SERIES));
    BufferedImage both =
        decode(
            Charts.lineWithMarks(
                "t",
                "x",
                "y",
                TWO_SERIES,
                Map.of("OOM", List.<double[]>of(new double[] {0.5, 25}))));

    assertThat(differingPixels(lines, scatter)).isGreaterThan(100);
    assertThat(differingPixels(lines, both)).isGreaterThan(20);
  }

  @Test
  void barsStackedAndSideBySideBothRender() throws IOException {
    Map<String, List<Double>> values = new LinkedHashMap<>();
    values.put("decode", List.of(0.1, 0.2));
    values.put("render", List.of(1.0, 1.5));
    BufferedImage stacked =
        decode(Charts.bars("time", "partition", "s", List.of("0", "1"), values, true));
    BufferedImage grouped =
        decode(Charts.bars("time", "partition", "s", List.of("0", "1"), values, false));

    assertThat(stacked.getWidth()).isEqualTo(Charts.WIDTH);
    assertThat(differingPixels(stacked, grouped)).isGreaterThan(1000);
  }

  @Test
  void barsWithoutCategoriesStillRender() throws IOException {
    assertThat(decode(Charts.bars("time", "p", "s", List.of(), Map.of(), true)).getWidth())
        .isEqualTo(Charts.WIDTH);
  }

  @Test
  void badDataIsRejectedWithTheSeriesNamed() {
    assertThatThrownBy(
            () ->
                Charts.line(
                    "t", "x", "y", Map.of("fps", List.<double[]>of(new double[] {0, Double.NaN}))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'fps'")
        .hasMessageContaining("NaN");
    assertThatThrownBy(
            () -> Charts.line("t", "x", "y", Map.of("fps", List.<double[]>of(new double[] {1}))))
        .hasMessageContaining("must be {x, y}");
    assertThatThrownBy(
            () ->
                Charts.bars(
                    "time", "p", "s", List.of("0", "1"), Map.of("render", List.of(1.0)), true))
        .hasMessageContaining("'render'")
        .hasMessageContaining("1 values for 2 categories");
  }

  @Test
  void dataUrisCarryTheMimeTypeAndTheBytes() {
    assertThat(Charts.dataUri(new byte[] {1, 2, 3})).isEqualTo("data:image/png;base64,AQID");
  }

  static BufferedImage decode(byte[] png) throws IOException {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(image).as("decodable image").isNotNull();
    return image;
  }

  static int colours(BufferedImage image) {
    Set<Integer> seen = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        seen.add(image.getRGB(x, y));
      }
    }
    return seen.size();
  }

  static long differingPixels(BufferedImage a, BufferedImage b) {
    long n = 0;
    for (int y = 0; y < Math.min(a.getHeight(), b.getHeight()); y++) {
      for (int x = 0; x < Math.min(a.getWidth(), b.getWidth()); x++) {
        if (a.getRGB(x, y) != b.getRGB(x, y)) {
          n++;
        }
      }
    }
    return n;
  }
}
