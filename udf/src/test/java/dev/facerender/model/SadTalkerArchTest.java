package dev.facerender.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.facerender.model.cost.SadTalkerCost;
import java.util.Arrays;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SadTalkerArchTest {
  private static final double WIDTH = 0.125;
  private static final String SPEC = BuiltinModels.SADTALKER_ARCH + "?width=" + WIDTH;
  private static final int SIZE = 128;
  private static FrameModel model;

  @BeforeAll
  static void load() {
    model = Models.load(SPEC);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void theBuiltModelHasTheParametersCountedFromSadTalkersModuleDefinitions() {
    assertThat(model.parameterCount()).isEqualTo(SadTalkerCost.parameters(WIDTH));
    try (FrameModel half = Models.load(BuiltinModels.SADTALKER_ARCH + "?width=0.25")) {
      assertThat(half.parameterCount()).isEqualTo(SadTalkerCost.parameters(0.25));
    }
  }

  @Test
  void atFullWidthTheCountsAreSadTalkersRenderer() {
    // keypoint detector + generator (with dense motion) + mapping network, facerender.yaml.
    assertThat(SadTalkerCost.parameters(1.0)).isBetween(140_000_000L, 170_000_000L);
    double gflops = 2.0 * SadTalkerCost.macsPerFrame(1.0, 256, 256) / 1e9;
    double sadTalker = 2.0 * SadTalkerCost.sadTalkerMacsPerFrame(1.0, 256, 256) / 1e9;
    assertThat(gflops / sadTalker).isBetween(0.9, 1.0);
  }

  @Test
  void encodeSourceMakesTheVolumeAndKeypointsAndForwardRendersWindowsToFrames() {
    try (PointerScope scope = new PointerScope()) {
      Tensor source = torch.rand(new long[] {1, 3, SIZE, SIZE}, generator(1));
      Tensor encoded = model.encodeSource(source);
      int channels = SadTalkerCost.channels(32, WIDTH);
      long volume = (long) channels * SadTalkerCost.DEPTH * (SIZE / 4) * (SIZE / 4);
      assertThat(encoded.sizes().vec().get()).containsExactly(1, volume + 45 + 45 + 2);
      Tensor windows =
          torch.randn(new long[] {3, SadTalkerCost.COEFFS, SadTalkerCost.WINDOW}, generator(2));
      Tensor frames = model.forward(encoded, windows.mul(new Scalar(0.1)));
      assertThat(frames.sizes().vec().get()).containsExactly(3, 3, SIZE, SIZE);
      assertThat(frames.min().item_float()).isGreaterThanOrEqualTo(0f);
      assertThat(frames.max().item_float()).isLessThanOrEqualTo(1f);
      assertThat(frames.isnan().any().item_bool()).isFalse();
    }
  }

  @Test
  void aFrameRendersToTheSameValuesAloneAndInABatch() {
    try (PointerScope scope = new PointerScope()) {
      Tensor encoded = model.encodeSource(torch.rand(new long[] {1, 3, SIZE, SIZE}, generator(3)));
      Tensor windows =
          torch
              .randn(new long[] {3, SadTalkerCost.COEFFS, SadTalkerCost.WINDOW}, generator(4))
              .mul(new Scalar(0.1));
      Tensor batch = model.forward(encoded, windows);
      Tensor alone = model.forward(encoded, windows.narrow(0, 1, 1));
      assertThat(batch.narrow(0, 1, 1).equal(alone)).isTrue();
      assertThat(batch.narrow(0, 0, 1).equal(alone)).isFalse();
    }
  }

  @Test
  void twoBuildsDrawTheSameWeights() {
    try (FrameModel again = Models.load(SPEC);
        PointerScope scope = new PointerScope()) {
      Tensor source = torch.rand(new long[] {1, 3, SIZE, SIZE}, generator(5));
      Tensor coeffs = torch.randn(new long[] {2, SadTalkerCost.COEFFS}, generator(6));
      assertThat(again.forward(source, coeffs).equal(model.forward(source, coeffs))).isTrue();
    }
  }

  @Test
  void badWidthsAndSpecsNameTheFix() {
    assertThatThrownBy(() -> Models.load(BuiltinModels.SADTALKER_ARCH + "?width=2"))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("(0, 1]");
    assertThatThrownBy(() -> Models.load(BuiltinModels.SADTALKER_ARCH + "?depth=3"))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("?width=0.125");
    assertThat(Arrays.asList(BuiltinModels.SADTALKER_ARCH_NOTE.split(", ")))
        .contains("random weights");
  }

  private static GeneratorOptional generator(long seed) {
    Generator generator = torch.createCPUGenerator(seed);
    return new GeneratorOptional(generator);
  }
}
