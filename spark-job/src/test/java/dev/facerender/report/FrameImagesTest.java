package dev.facerender.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;

class FrameImagesTest {
  private static final Color[] COLOURS = {Color.RED, Color.GREEN, Color.BLUE, Color.YELLOW};

  @Test
  void theAnimationHasEveryFrameInOrderLoopsForeverAndIsScaledDown() throws IOException {
    List<BufferedImage> frames = new ArrayList<>();
    for (Color c : COLOURS) {
      frames.add(solid(200, 100, c));
    }
    byte[] gif = FrameImages.animatedGif(frames, 50, 40);

    ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
    try (ImageInputStream in =
        ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(gif))) {
      reader.setInput(in);
      assertThat(reader.getNumImages(true)).isEqualTo(COLOURS.length);
      for (int i = 0; i < COLOURS.length; i++) {
        BufferedImage frame = reader.read(i);
        assertThat(frame.getWidth()).isEqualTo(50);
        assertThat(frame.getHeight()).isEqualTo(25);
        assertThat(new Color(frame.getRGB(25, 12))).as("frame %d", i).isEqualTo(COLOURS[i]);
        IIOMetadataNode root =
            (IIOMetadataNode) reader.getImageMetadata(i).getAsTree("javax_imageio_gif_image_1.0");
        IIOMetadataNode control =
            (IIOMetadataNode) root.getElementsByTagName("GraphicControlExtension").item(0);
        assertThat(control.getAttribute("delayTime")).isEqualTo("4");
      }
      IIOMetadataNode first =
          (IIOMetadataNode) reader.getImageMetadata(0).getAsTree("javax_imageio_gif_image_1.0");
      IIOMetadataNode loop =
          (IIOMetadataNode) first.getElementsByTagName("ApplicationExtension").item(0);
      assertThat(loop.getAttribute("applicationID")).isEqualTo("NETSCAPE");
      assertThat(loop.getAttribute("authenticationCode")).isEqualTo("2.0");
      assertThat((byte[]) loop.getUserObject()).containsExactly(1, 0, 0);
    } finally {
      reader.dispose();
    }
  }

  @Test
  void theContactSheetLaysTilesOutInRowsAndKeepsTheirContent() throws IOException {
    List<FrameImages.Tile> tiles = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      tiles.add(new FrameImages.Tile("clip #" + i, solid(64, 64, COLOURS[i % COLOURS.length])));
    }
    BufferedImage sheet = ChartsTest.decode(FrameImages.contactSheet(tiles, 3, 32));

    // 3 columns and 2 rows of 32 px tiles, 6 px gaps, 16 px captions.
    assertThat(sheet.getWidth()).isEqualTo(6 + 3 * (32 + 6));
    assertThat(sheet.getHeight()).isEqualTo(6 + 2 * (32 + 16 + 6));
    assertThat(new Color(sheet.getRGB(6 + 16, 6 + 16))).isEqualTo(Color.RED);
    assertThat(new Color(sheet.getRGB(6 + 38 + 16, 6 + 16))).isEqualTo(Color.GREEN);
    assertThat(new Color(sheet.getRGB(6 + 16, 6 + 54 + 16))).isEqualTo(Color.YELLOW);
  }

  @Test
  void framesDecodeFromEachOutputFormat() throws IOException {
    BufferedImage source = solid(4, 2, Color.BLUE);
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(source, "png", png);
    byte[] raw = new byte[4 * 2 * 3];
    for (int i = 0; i < 8; i++) {
      raw[i * 3 + 2] = (byte) 255;
    }

    for (BufferedImage image :
        List.of(
            FrameImages.decode("png", 4, 2, png.toByteArray()),
            FrameImages.decode("raw", 4, 2, raw))) {
      assertThat(image.getWidth()).isEqualTo(4);
      assertThat(new Color(image.getRGB(3, 1))).isEqualTo(Color.BLUE);
    }
    assertThatThrownBy(() -> FrameImages.decode("raw", 4, 3, raw))
        .hasMessageContaining("needs 36 bytes, got 24");
    assertThatThrownBy(() -> FrameImages.decode("png", 4, 2, new byte[] {1, 2}))
        .hasMessageContaining("does not decode");
  }

  @Test
  void nothingToShowIsAnError() {
    assertThatThrownBy(() -> FrameImages.animatedGif(List.of(), 10, 40))
        .hasMessageContaining("at least one frame");
    assertThatThrownBy(() -> FrameImages.contactSheet(List.of(), 3, 10))
        .hasMessageContaining("at least one tile");
  }

  private static BufferedImage solid(int width, int height, Color colour) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, colour.getRGB());
      }
    }
    return image;
  }
}
