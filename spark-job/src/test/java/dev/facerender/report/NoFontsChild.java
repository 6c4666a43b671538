package dev.facerender.report;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Run in a child JVM by {@link ReportFontTest} on a machine made to have no fonts: writes two
 * charts that differ only in their title and a contact sheet, and says whether the font's fallback
 * configuration was needed.
 */
public final class NoFontsChild {
  private NoFontsChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Files.write(dir.resolve("second.png"), ReportFontTest.chart("Frames per second"));
    Files.write(dir.resolve("minute.png"), ReportFontTest.chart("Frames per minute"));
    BufferedImage grey = ReportFontTest.solid(64, 64, 0x808080);
    Files.write(
        dir.resolve("sheet.png"),
        FrameImages.contactSheet(List.of(new FrameImages.Tile("clip-0007 #12", grey)), 1, 64));
    System.out.println(
        "font configuration: " + System.getProperty(ReportFont.FONT_CONFIGURATION, "none"));
  }
}
