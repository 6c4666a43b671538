package dev.facerender.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.codec.RgbImage;
import dev.facerender.codec.TensorFrames;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WarpModelTest {
  private static final int SIZE = 64;
  private static FrameModel warp;

  @BeforeAll
  static void load() {
    warp = Models.load(BuiltinModels.WARP);
  }

  @AfterAll
  static void close() {
    warp.close();
  }

  @Test
  void zeroCoefficientsGiveBackTheSourceExactly() {
    RgbImage face = TestFaces.face(SIZE);
    try (PointerScope scope = new PointerScope()) {
      Tensor source = TensorFrames.toTensor(face);
      Tensor out = warp.forward(source, torch.zeros(3, BuiltinModels.WARP_COEFFS));
      assertThat(out.size(0)).isEqualTo(3);
      List<byte[]> frames = TensorFrames.toFrameBytes(out, true);
      assertThat(frames).hasSize(3).allSatisfy(frame -> assertThat(frame).isEqualTo(face.bgr()));
    }
  }

  @Test
  void aModelMovedToANamedDeviceRendersAsTheDefaultOne() {
    // "cpu:0" takes the path a GPU takes (module.to(device)) on a machine without one.
    RgbImage face = TestFaces.face(SIZE);
    float[] coeffs = new float[BuiltinModels.WARP_COEFFS];
    coeffs[BuiltinModels.JAW] = 0.7f;
    try (FrameModel placed = Models.load(BuiltinModels.WARP, "cpu:0");
        PointerScope scope = new PointerScope()) {
      Tensor source = TensorFrames.toTensor(face);
      Tensor c = torch.tensor(coeffs).view(1, coeffs.length);
      byte[] moved = TensorFrames.toFrameBytes(placed.forward(source, c), true).get(0);
      assertThat(moved).isEqualTo(render(face, coeffs).bgr()).isNotEqualTo(face.bgr());
    }
  }

  @Test
  void openingTheJawChangesTheMouthAndLeavesTheForeheadAlone() {
    RgbImage face = TestFaces.face(SIZE);
    float[] coeffs = new float[BuiltinModels.WARP_COEFFS];
    coeffs[BuiltinModels.JAW] = 1.0f;
    RgbImage open = render(face, coeffs);
    // Mouth line at 71% of the height, forehead at 15%.
    assertThat(meanAbsDiff(face, open, 0.62, 0.80)).isGreaterThan(3.0);
    assertThat(meanAbsDiff(face, open, 0.05, 0.20)).isLessThan(0.5);
  }

  @Test
  void blinkChangesTheEyesAndSmileTheMouth() {
    RgbImage face = TestFaces.face(SIZE);
    float[] blink = new float[BuiltinModels.WARP_COEFFS];
    blink[BuiltinModels.BLINK] = 1.0f;
    assertThat(meanAbsDiff(face, render(face, blink), 0.38, 0.50)).isGreaterThan(2.0);
    float[] smile = new float[BuiltinModels.WARP_COEFFS];
    smile[BuiltinModels.SMILE] = 1.0f;
    assertThat(meanAbsDiff(face, render(face, smile), 0.62, 0.80)).isGreaterThan(1.0);
  }

  @Test
  void yawingTheHeadMovesTheFaceSideways() {
    RgbImage face = TestFaces.face(SIZE);
    float[] coeffs = new float[BuiltinModels.WARP_COEFFS];
    coeffs[BuiltinModels.YAW] = 0.3f;
    RgbImage turned = render(face, coeffs);
    double before = darkColumnCentroid(face);
    double after = darkColumnCentroid(turned);
    assertThat(after - before).isGreaterThan(2.0);
  }

  private static RgbImage render(RgbImage face, float[] coeffs) {
    try (PointerScope scope = new PointerScope()) {
      Tensor source = TensorFrames.toTensor(face);
      Tensor c = torch.tensor(coeffs).view(1, coeffs.length);
      return new RgbImage(
          face.width(),
          face.height(),
          TensorFrames.toFrameBytes(warp.forward(source, c), true).get(0));
    }
  }

  private static double meanAbsDiff(RgbImage a, RgbImage b, double fromRow, double toRow) {
    int from = (int) (fromRow * a.height());
    int to = (int) (toRow * a.height());
    long sum = 0;
    int count = 0;
    for (int i = from * a.width() * 3; i < to * a.width() * 3; i++) {
      sum += Math.abs((a.bgr()[i] & 0xff) - (b.bgr()[i] & 0xff));
      count++;
    }
    return (double) sum / count;
  }

  /** Horizontal centre of mass of darkness: the features' position. */
  private static double darkColumnCentroid(RgbImage image) {
    double weighted = 0;
    double total = 0;
    for (int y = 0; y < image.height(); y++) {
      for (int x = 0; x < image.width(); x++) {
        int i = (y * image.width() + x) * 3;
        double dark =
            255
                - ((image.bgr()[i] & 0xff)
                        + (image.bgr()[i + 1] & 0xff)
                        + (image.bgr()[i + 2] & 0xff))
                    / 3.0;
        weighted += dark * x;
        total += dark;
      }
    }
    return weighted / total;
  }

  /** A minimal face drawn where the warp expects features. */
  static final class TestFaces {
    static RgbImage face(int size) {
      BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
      Graphics2D g = image.createGraphics();
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, size, size);
      g.setColor(new Color(230, 190, 160));
      g.fillOval(size / 8, size / 10, size * 3 / 4, size * 4 / 5);
      g.setColor(Color.BLACK);
      g.fillOval((int) (0.30 * size), (int) (0.42 * size), size / 8, size / 14);
      g.fillOval((int) (0.58 * size), (int) (0.42 * size), size / 8, size / 14);
      g.fillRect(
          (int) (0.36 * size), (int) (0.70 * size), (int) (0.28 * size), Math.max(2, size / 32));
      g.dispose();
      return dev.facerender.codec.ImageCodec.toBgr(image);
    }
  }
}
