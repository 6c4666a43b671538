package dev.facerender.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.facerender.codec.Psnr;
import dev.facerender.codec.RgbImage;
import dev.facerender.codec.TensorFrames;
import dev.facerender.config.GraphExecutor;
import dev.facerender.config.Precision;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A model in each precision keeps the float32 contract, and its frames stay close to fp32's. */
class PrecisionTest {
  private static final int SIZE = 64;

  @AfterAll
  static void strictAgain() {
    Precision.FP32.applyMathMode();
  }

  private static List<byte[]> render(String spec, Precision precision) {
    int size = SIZE;
    RgbImage face = WarpModelTest.TestFaces.face(size);
    try (FrameModel model =
            Models.load(spec, "cpu", new TorchOptions(precision, GraphExecutor.SIMPLE));
        PointerScope scope = new PointerScope()) {
      precision.applyMathMode();
      Tensor source = TensorFrames.toTensor(face).expand(4, 3, size, size);
      float[] values = new float[4 * 70];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) (0.4 * Math.sin(i * 0.37));
      }
      Tensor coeffs = torch.tensor(values).view(4, 70);
      Tensor sourceCoeffs = model.takesSourceCoeffs() ? torch.zeros(4, 70) : null;
      Tensor input = model.hasEncodeSource() ? model.encodeSource(source) : source;
      Tensor out = model.forward(input, coeffs, sourceCoeffs);
      assertThat(out.scalar_type().intern()).isEqualTo(ScalarType.Float);
      return TensorFrames.toFrameBytes(out, true);
    }
  }

  private static double worstPsnr(List<byte[]> a, List<byte[]> b) {
    double worst = Psnr.IDENTICAL;
    for (int i = 0; i < a.size(); i++) {
      worst = Math.min(worst, Psnr.of(a.get(i), b.get(i)));
    }
    return worst;
  }

  @Test
  void tf32IsFp32OnACpu() {
    assertThat(render(BuiltinModels.WARP, Precision.TF32))
        .usingRecursiveComparison()
        .isEqualTo(render(BuiltinModels.WARP, Precision.FP32));
  }

  @Test
  void theWarpInBf16RendersFloatFramesCloseToFp32() {
    List<byte[]> fp32 = render(BuiltinModels.WARP, Precision.FP32);
    List<byte[]> bf16 = render(BuiltinModels.WARP, Precision.BF16);
    assertThat(worstPsnr(fp32, bf16)).isGreaterThan(40).isLessThan(Psnr.IDENTICAL);
  }

  @Test
  void autocastEndsWithTheCallAndLeavesTheThreadAsItWas() {
    render(BuiltinModels.WARP, Precision.FP16);
    assertThat(torch.is_autocast_enabled(torch.DeviceType.CPU)).isFalse();
    assertThat(torch.is_autocast_cache_enabled())
        .as("the weight cache, off while a half model runs, is back as it was")
        .isTrue();
  }

  @Test
  void anUnknownPrecisionNamesTheChoices() {
    assertThatThrownBy(() -> Precision.parse("fp8"))
        .hasMessageContaining("fp32, tf32, bf16 or fp16");
  }

  @Test
  void psnrOfFramesOneLevelApartIsAbout48Db() {
    byte[] a = new byte[300];
    byte[] b = new byte[300];
    java.util.Arrays.fill(b, (byte) 1);
    assertThat(Psnr.of(a, b)).isCloseTo(48.13, org.assertj.core.data.Offset.offset(0.01));
    assertThat(Psnr.of(a, a)).isEqualTo(Psnr.IDENTICAL);
  }
}
