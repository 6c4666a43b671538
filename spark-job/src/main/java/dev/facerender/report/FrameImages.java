package dev.facerender.report;

import static java.util.Objects.requireNonNull;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/**
 * Pictures made of rendered frames: a labelled contact sheet (PNG, captions in {@link ReportFont}),
 * a looping preview (GIF).
 */
public final class FrameImages {
  private static final int LABEL_HEIGHT = 16;
  private static final int GAP = 6;
  private static final String GIF_FORMAT = "javax_imageio_gif_image_1.0";

  static {
    Headless.ensure();
  }

  /** One frame of a contact sheet and the caption under it. */
  public record Tile(String label, BufferedImage image) {
    public Tile {
      requireNonNull(label, "label is null");
      requireNonNull(image, "image is null");
    }
  }

  private FrameImages() {}

  /**
   * A grid of {@code columns} tiles a row, each scaled to fit {@code maxSide} pixels, captioned.
   */
  public static byte[] contactSheet(List<Tile> tiles, int columns, int maxSide) {
    if (tiles.isEmpty()) {
      throw new IllegalArgumentException("A contact sheet needs at least one tile");
    }
    checkPositive("columns", columns);
    checkPositive("maxSide", maxSide);
    List<BufferedImage> images = tiles.stream().map(t -> fit(t.image(), maxSide)).toList();
    int cellWidth = images.stream().mapToInt(BufferedImage::getWidth).max().orElseThrow();
    int cellHeight = images.stream().mapToInt(BufferedImage::getHeight).max().orElseThrow();
    int cols = Math.min(columns, tiles.size());
    int rows = (tiles.size() + cols - 1) / cols;
    int width = GAP + cols * (cellWidth + GAP);
    int height = GAP + rows * (cellHeight + LABEL_HEIGHT + GAP);
    BufferedImage sheet = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = sheet.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setFont(ReportFont.of(Font.PLAIN, 11));
      g.setColor(new Color(0x444444));
      for (int i = 0; i < images.size(); i++) {
        int x = GAP + (i % cols) * (cellWidth + GAP);
        int y = GAP + (i / cols) * (cellHeight + LABEL_HEIGHT + GAP);
        g.drawImage(images.get(i), x, y, null);
        g.drawString(tiles.get(i).label(), x, y + cellHeight + LABEL_HEIGHT - 4);
      }
    } finally {
      g.dispose();
    }
    return encode(sheet, "png");
  }

  /**
   * An animated GIF that loops forever: the frames in the order given, each shown {@code
   * delayMillis} (GIF counts in hundredths of a second), scaled to fit {@code maxSide} pixels.
   */
  public static byte[] animatedGif(List<BufferedImage> frames, int maxSide, int delayMillis) {
    if (frames.isEmpty()) {
      throw new IllegalArgumentException("An animation needs at least one frame");
    }
    checkPositive("maxSide", maxSide);
    checkPositive("delayMillis", delayMillis);
    ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
      writer.setOutput(out);
      ImageWriteParam param = writer.getDefaultWriteParam();
      writer.prepareWriteSequence(null);
      for (int i = 0; i < frames.size(); i++) {
        BufferedImage image = fit(frames.get(i), maxSide);
        IIOMetadata metadata =
            writer.getDefaultImageMetadata(
                ImageTypeSpecifier.createFromRenderedImage(image), param);
        IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree(GIF_FORMAT);
        IIOMetadataNode control = child(root, "GraphicControlExtension");
        control.setAttribute("disposalMethod", "none");
        control.setAttribute("userInputFlag", "FALSE");
        control.setAttribute("transparentColorFlag", "FALSE");
        control.setAttribute("delayTime", Integer.toString(Math.max(1, delayMillis / 10)));
        control.setAttribute("transparentColorIndex", "0");
        if (i == 0) {
          // The NETSCAPE2.0 extension with a loop count of 0: browsers replay the clip forever.
          IIOMetadataNode loop = new IIOMetadataNode("ApplicationExtension");
          loop.setAttribute("applicationID", "NETSCAPE");
          loop.setAttribute("authenticationCode", "2.0");
          loop.setUserObject(new byte[] {1, 0, 0});
          child(root, "ApplicationExtensions").appendChild(loop);
        }
        metadata.setFromTree(GIF_FORMAT, root);
        writer.writeToSequence(new IIOImage(image, null, metadata), param);
      }
      writer.endWriteSequence();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write the animated preview", e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  private static IIOMetadataNode child(IIOMetadataNode root, String name) {
    for (int i = 0; i < root.getLength(); i++) {
      if (root.item(i).getNodeName().equals(name)) {
        return (IIOMetadataNode) root.item(i);
      }
    }
    IIOMetadataNode node = new IIOMetadataNode(name);
    root.appendChild(node);
    return node;
  }

  /**
   * A frame of {@code frames/} as an image: {@code png} and {@code jpeg} bytes are decoded, {@code
   * raw} bytes are interleaved 8-bit RGB of {@code width x height}.
   */
  public static BufferedImage decode(String format, int width, int height, byte[] bytes) {
    if (format.equals("raw")) {
      if (width <= 0 || height <= 0 || bytes.length != 3L * width * height) {
        throw new IllegalArgumentException(
            String.format(
                "A raw %dx%d frame needs %d bytes, got %d",
                width, height, 3L * width * height, bytes.length));
      }
      BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
      for (int i = 0, p = 0; i < width * height; i++, p += 3) {
        int rgb = (bytes[p] & 0xff) << 16 | (bytes[p + 1] & 0xff) << 8 | (bytes[p + 2] & 0xff);
        image.setRGB(i % width, i / width, rgb);
      }
      return image;
    }
    try {
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
      if (image == null) {
        throw new IllegalArgumentException(
            "A " + format + " frame of " + bytes.length + " bytes does not decode");
      }
      return image;
    } catch (IOException e) {
      throw new UncheckedIOException("A " + format + " frame does not decode", e);
    }
  }

  private static BufferedImage fit(BufferedImage image, int maxSide) {
    double scale = Math.min(1.0, maxSide / (double) Math.max(image.getWidth(), image.getHeight()));
    int width = Math.max(1, (int) Math.round(image.getWidth() * scale));
    int height = Math.max(1, (int) Math.round(image.getHeight() * scale));
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(
          RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(image, 0, 0, width, height, null);
    } finally {
      g.dispose();
    }
    return out;
  }

  private static byte[] encode(BufferedImage image, String format) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, format, bytes)) {
        throw new IllegalStateException("No ImageIO writer for " + format);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void checkPositive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }
}
