package dev.facerender.codec;

import com.pngencoder.PngEncoder;
import java.awt.Graphics2D;
import java.awt.Point;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Source decoding with guards, and frame encoding without per-pixel Java loops. */
public final class ImageCodec {
  /** Sources larger than this many pixels are refused before their pixels are decoded. */
  public static final long MAX_SOURCE_PIXELS = 16L * 1024 * 1024;

  /** Sources smaller than this on a side are no face crop any model can use. */
  public static final int MIN_SOURCE_SIDE = 16;

  private static final int[] BGR_OFFSETS = {2, 1, 0};
  private static final int[] RGB_OFFSETS = {0, 1, 2};

  static {
    ImageIO.setUseCache(false);
  }

  private ImageCodec() {}

  /**
   * Decodes PNG or JPEG bytes, refusing absurd dimensions before touching the pixels and telling
   * truncated files (short data, or a decoder warning such as a premature end of JPEG data) apart
   * from corrupt ones.
   */
  public static RgbImage decode(byte[] bytes) throws ImageDecodeException {
    if (bytes == null || bytes.length == 0) {
      throw new ImageDecodeException("SOURCE_EMPTY", "source image is empty (0 bytes)");
    }
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new ImageDecodeException(
            "SOURCE_NOT_IMAGE",
            "source is not a PNG or JPEG image ("
                + bytes.length
                + " bytes starting "
                + hexPrefix(bytes)
                + "): store encoded image bytes in the image column");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        long width = reader.getWidth(0);
        long height = reader.getHeight(0);
        checkDimensions(width, height);
        BufferedImage image = readPixels(reader, bytes.length);
        if (!warnings.isEmpty()) {
          throw new ImageDecodeException(
              "SOURCE_TRUNCATED",
              "source image is incomplete ("
                  + warnings.get(0)
                  + ", "
                  + bytes.length
                  + " bytes): re-export it");
        }
        return toBgr(image);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      throw new ImageDecodeException(
          "SOURCE_CORRUPT",
          "source image cannot be decoded (" + e.getMessage() + "): re-export it as PNG or JPEG",
          e);
    }
  }

  private static void checkDimensions(long width, long height) throws ImageDecodeException {
    if (width * height > MAX_SOURCE_PIXELS) {
      throw new ImageDecodeException(
          "SOURCE_TOO_LARGE",
          "source is "
              + width
              + "x"
              + height
              + " pixels, above the limit of "
              + MAX_SOURCE_PIXELS
              + ": resize it before rendering");
    }
    if (width < MIN_SOURCE_SIDE || height < MIN_SOURCE_SIDE) {
      throw new ImageDecodeException(
          "SOURCE_TOO_SMALL",
          "source is "
              + width
              + "x"
              + height
              + " pixels, below "
              + MIN_SOURCE_SIDE
              + " on a side: use the face crop the model was trained on (256x256 for SadTalker)");
    }
  }

  private static BufferedImage readPixels(ImageReader reader, int length)
      throws ImageDecodeException {
    try {
      return reader.read(0);
    } catch (IOException e) {
      if (causedBy(e, EOFException.class)) {
        throw new ImageDecodeException(
            "SOURCE_TRUNCATED",
            "source image ends early (" + length + " bytes): the file was cut short; re-export it",
            e);
      }
      if (String.valueOf(e.getMessage()).contains("Unsupported Image Type")) {
        throw new ImageDecodeException(
            "SOURCE_UNSUPPORTED",
            "source image uses a color model that cannot become RGB ("
                + e.getMessage()
                + ", e.g. CMYK JPEG): convert it to RGB",
            e);
      }
      throw new ImageDecodeException(
          "SOURCE_CORRUPT",
          "source image cannot be decoded (" + e.getMessage() + "): re-export it as PNG or JPEG",
          e);
    }
  }

  private static boolean causedBy(Throwable error, Class<? extends Throwable> type) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  /** Converts any decoded image to interleaved BGR bytes. */
  public static RgbImage toBgr(BufferedImage image) {
    BufferedImage bgr = image;
    if (image.getType() != BufferedImage.TYPE_3BYTE_BGR) {
      bgr = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
      Graphics2D g = bgr.createGraphics();
      try {
        g.drawImage(image, 0, 0, null);
      } finally {
        g.dispose();
      }
    }
    byte[] data = ((DataBufferByte) bgr.getRaster().getDataBuffer()).getData();
    return new RgbImage(bgr.getWidth(), bgr.getHeight(), data);
  }

  /** A BufferedImage over the {@code width*height*3} BGR bytes of {@code data}, not copied. */
  public static BufferedImage wrapBgr(byte[] data, int width, int height) {
    return wrap(data, width, height, BGR_OFFSETS);
  }

  /** A BufferedImage over the {@code width*height*3} RGB bytes of {@code data}, not copied. */
  public static BufferedImage wrapRgb(byte[] data, int width, int height) {
    return wrap(data, width, height, RGB_OFFSETS);
  }

  private static BufferedImage wrap(byte[] data, int width, int height, int[] offsets) {
    DataBufferByte buffer = new DataBufferByte(data, width * height * 3);
    PixelInterleavedSampleModel model =
        new PixelInterleavedSampleModel(DataBuffer.TYPE_BYTE, width, height, 3, width * 3, offsets);
    WritableRaster raster = Raster.createWritableRaster(model, buffer, new Point(0, 0));
    ComponentColorModel colors =
        new ComponentColorModel(
            ColorSpace.getInstance(ColorSpace.CS_sRGB),
            false,
            false,
            Transparency.OPAQUE,
            DataBuffer.TYPE_BYTE);
    return new BufferedImage(colors, raster, false, null);
  }

  /** PNG at {@code compressionLevel} 0-9 (1 is ~3.7x faster than the default 6 for +50% size). */
  public static byte[] encodePng(BufferedImage image, int compressionLevel) {
    return new PngEncoder()
        .withBufferedImage(image)
        .withCompressionLevel(compressionLevel)
        .withMultiThreadedCompressionEnabled(false)
        .toBytes();
  }

  public static byte[] encodeJpeg(BufferedImage image, float quality) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 * 1024);
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(quality);
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  private static String hexPrefix(byte[] bytes) {
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < Math.min(8, bytes.length); i++) {
      hex.append(String.format("%02x", bytes[i] & 0xff));
    }
    return hex.toString();
  }
}
