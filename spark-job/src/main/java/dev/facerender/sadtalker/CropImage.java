package dev.facerender.sadtalker;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * The face crop SadTalker's preprocess writes (PNG, {@code size x size}), kept as its own bytes:
 * Facerender decodes it as SadTalker reads it. A crop of another size would be resized by the
 * model's wrapper and give frames of that size, so it is refused with the fix.
 */
final class CropImage {
  private CropImage() {}

  static byte[] read(Path file, int size) {
    if (!Files.isRegularFile(file)) {
      throw new ImportException(
          file,
          "crop image does not exist: pass the face crop SadTalker's preprocess wrote for the"
              + " source image (first_frame_dir/<image>.png)");
    }
    byte[] bytes;
    BufferedImage image;
    try {
      bytes = Files.readAllBytes(file);
      image = ImageIO.read(new ByteArrayInputStream(bytes));
    } catch (IOException | RuntimeException e) {
      throw new ImportException(file, "crop image cannot be read: " + e.getMessage(), e);
    }
    if (image == null) {
      throw new ImportException(
          file, "crop image is not a PNG or JPEG image: pass the PNG SadTalker's preprocess wrote");
    }
    if (image.getWidth() != size || image.getHeight() != size) {
      throw new ImportException(
          file,
          String.format(
              "crop image is %dx%d, the renderer takes %dx%d: pass --size %d if the export was"
                  + " made with that size, or the crop SadTalker's preprocess wrote at --size %d",
              image.getWidth(), image.getHeight(), size, size, image.getWidth(), size));
    }
    return bytes;
  }
}
