package dev.facerender.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class SharpenEnhancerTest {
  @Test
  void flatFramesComeBackUnchangedAndEdgesGainContrast() {
    try (FrameEnhancer sharpen = Models.loadEnhancer(BuiltinModels.SHARPEN);
        PointerScope scope = new PointerScope()) {
      Tensor flat = torch.full(new long[] {2, 3, 16, 16}, new Scalar(0.4));
      assertThat(sharpen.enhance(flat).sub(flat).abs().max().item_float()).isLessThan(1e-6f);

      // A vertical edge: dark left half, light right half.
      Tensor edge = torch.full(new long[] {1, 3, 16, 16}, new Scalar(0.3));
      edge.narrow(3, 8, 8).fill_(new Scalar(0.7));
      Tensor out = sharpen.enhance(edge);
      assertThat(out.sizes().vec().get()).containsExactly(1, 3, 16, 16);
      float darkSide = out.select(3, 7).mean().item_float();
      float lightSide = out.select(3, 8).mean().item_float();
      assertThat(darkSide).isLessThan(0.3f);
      assertThat(lightSide).isGreaterThan(0.7f);
      // Away from the edge nothing moves.
      assertThat(out.select(3, 0).mean().item_float())
          .isCloseTo(0.3f, org.assertj.core.data.Offset.offset(1e-6f));
    }
  }

  @Test
  void anEnhancerWithTheWrongSignatureIsRefusedNamingIt() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Models.loadEnhancer("builtin:warp"))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("builtin:sharpen");
  }
}
