package dev.facerender.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.AxesChartStyler;

/** Report pictures write their text in the font the jar ships, with or without system fonts. */
class ReportFontTest {
  /** Rows of a chart's title: the chart's padding and one line of its title font. */
  private static final int TITLE_ROWS = 40;

  @TempDir Path dir;

  @Test
  void theShippedFontIsDejaVuSansWithItsLicenseBesideIt() throws IOException {
    Font font = ReportFont.of(Font.PLAIN, 12);

    assertThat(font.getFamily()).isEqualTo("DejaVu Sans");
    assertThat(font.getSize2D()).isEqualTo(12f);
    assertThat(font.canDisplayUpTo("Frames per second 0123456789 #")).isEqualTo(-1);
    try (InputStream license = ReportFont.class.getResourceAsStream(ReportFont.LICENSE)) {
      assertThat(license).as(ReportFont.LICENSE + " beside the font").isNotNull();
      assertThat(new String(license.readAllBytes(), StandardCharsets.UTF_8))
          .contains("Bitstream Vera")
          .contains("Permission is hereby granted");
    }
  }

  @Test
  void textDrawnInTheShippedFontLeavesInk() {
    BufferedImage image = solid(200, 40, 0xffffff);
    Graphics2D g = image.createGraphics();
    g.setColor(Color.BLACK);
    g.setFont(ReportFont.of(Font.PLAIN, 14));
    g.drawString("Frames per second", 5, 25);
    g.dispose();

    assertThat(darkPixels(image, 0, 40)).isGreaterThan(100);
  }

  @Test
  void everyTextOfAChartIsSetInTheShippedFont() {
    List<AxesChartStyler> stylers =
        List.of(
            new XYChartBuilder().build().getStyler(),
            new CategoryChartBuilder().build().getStyler());
    for (AxesChartStyler styler : stylers) {
      Charts.style(styler);
      List<Font> fonts =
          List.of(
              styler.getBaseFont(),
              styler.getChartTitleFont(),
              styler.getLegendFont(),
              styler.getAxisTitleFont(),
              styler.getAxisTickLabelsFont(),
              styler.getAnnotationTextFont(),
              styler.getAnnotationTextPanelFont(),
              styler.getToolTipFont(),
              styler.getChartButtonFont());
      assertThat(fonts).allSatisfy(f -> assertThat(f.getFamily()).isEqualTo("DejaVu Sans"));
    }
  }

  @Test
  void aChartsTitleIsDrawnAsText() throws IOException {
    assertTitleDrawn(decode(chart("Frames per second")), decode(chart("Frames per minute")));
  }

  /**
   * A child JVM whose fontconfig knows no font (an empty configuration, as on a machine without
   * fonts) and whose home has no font cache of the JDK's: the JDK's font manager cannot start from
   * the system, and the charts and the contact sheet still carry their text.
   */
  @Test
  void onAMachineWithoutFontsChartsAndContactSheetsStillHaveText() throws Exception {
    Path config = dir.resolve("fonts.conf");
    Files.writeString(
        config,
        "<?xml version=\"1.0\"?><!DOCTYPE fontconfig SYSTEM \"fonts.dtd\"><fontconfig></fontconfig>");
    Path home = Files.createDirectories(dir.resolve("home"));
    Path log = dir.resolve("child.log");
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(flag -> !flag.startsWith("-agent") && !flag.startsWith("-javaagent"))
        .forEach(command::add);
    command.addAll(
        List.of(
            "-Duser.home=" + home,
            "-cp",
            System.getProperty("java.class.path"),
            NoFontsChild.class.getName(),
            dir.toString()));
    ProcessBuilder child = new ProcessBuilder(command).redirectErrorStream(true);
    child.redirectOutput(log.toFile());
    child.environment().putAll(Map.of("FONTCONFIG_FILE", config.toString()));
    Process process = child.start();

    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("child finished").isTrue();
    String output = Files.readString(log);
    assertThat(process.exitValue()).as(output).isZero();
    // The fallback ran: the system's font configuration had failed the JDK.
    assertThat(output).contains("font configuration: ").doesNotContain("font configuration: none");
    assertTitleDrawn(
        ImageIO.read(dir.resolve("second.png").toFile()),
        ImageIO.read(dir.resolve("minute.png").toFile()));
    BufferedImage sheet = ImageIO.read(dir.resolve("sheet.png").toFile());
    // The caption, under the 64-pixel tile, in dark grey on white.
    assertThat(darkPixels(sheet, 6 + 64, sheet.getHeight())).isGreaterThan(30);
  }

  /** Two charts that differ in their title only differ in the title's rows, and plainly. */
  private static void assertTitleDrawn(BufferedImage a, BufferedImage b) {
    int differing = 0;
    int lowest = -1;
    for (int y = 0; y < a.getHeight(); y++) {
      for (int x = 0; x < a.getWidth(); x++) {
        if (a.getRGB(x, y) != b.getRGB(x, y)) {
          differing++;
          lowest = y;
        }
      }
    }
    assertThat(differing).as("pixels the titles' words change").isGreaterThan(50);
    assertThat(lowest).as("lowest row that differs").isLessThan(TITLE_ROWS);
  }

  static byte[] chart(String title) {
    return Charts.line(
        title,
        "seconds",
        "frames/s",
        Map.of("all tasks", List.of(new double[] {0, 10}, new double[] {1, 30})));
  }

  static BufferedImage solid(int width, int height, int rgb) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, rgb);
      }
    }
    return image;
  }

  private static BufferedImage decode(byte[] png) throws IOException {
    return ChartsTest.decode(png);
  }

  /** Pixels in rows [from, to) darker than mid grey on every channel. */
  private static int darkPixels(BufferedImage image, int from, int to) {
    int dark = 0;
    for (int y = from; y < to; y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        Color c = new Color(image.getRGB(x, y));
        if (c.getRed() < 0x80 && c.getGreen() < 0x80 && c.getBlue() < 0x80) {
          dark++;
        }
      }
    }
    return dark;
  }
}
