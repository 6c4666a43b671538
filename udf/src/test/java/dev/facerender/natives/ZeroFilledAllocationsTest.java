package dev.facerender.natives;

import static org.assertj.core.api.Assertions.assertThat;

import dev.facerender.model.BuiltinModels;
import dev.facerender.model.FrameModel;
import dev.facerender.model.Models;
import dev.facerender.model.cost.SadTalkerCost;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * What the CPU allocator hands out after NaN-filled tensors were freed must not reach a result: a
 * convolution whose input channels are not a multiple of oneDNN's block reads its buffers' padding
 * (without zero-filled allocations the 84-channel convolution here returned NaN).
 */
class ZeroFilledAllocationsTest {
  @Test
  void aConvolutionOfUnalignedChannelsIgnoresWhatFreedMemoryHeld() {
    TorchNatives.load();
    ZeroFilledAllocations.enable();
    for (int channels : new int[] {70, 84, 88}) {
      double clean = conv(channels);
      for (int round = 0; round < 3; round++) {
        leaveNaNInFreedMemory();
        assertThat(conv(channels)).as("%d channels", channels).isFinite().isEqualTo(clean);
      }
    }
  }

  @Test
  void theReferenceNetworkRendersTheSameValuesAfterNaNWasFreed() {
    try (FrameModel model = Models.load(BuiltinModels.SADTALKER_ARCH + "?width=0.125")) {
      double clean = render(model);
      for (int round = 0; round < 3; round++) {
        leaveNaNInFreedMemory();
        assertThat(render(model)).isFinite().isEqualTo(clean);
      }
    }
  }

  private static double conv(int channels) {
    try (PointerScope scope = new PointerScope()) {
      Tensor x = torch.randn(new long[] {1, channels, 32, 32}, seeded(1));
      Tensor w = torch.randn(new long[] {16, channels, 3, 3}, seeded(2)).mul(new Scalar(0.05));
      long[] one = {1, 1};
      return torch.conv2d(x, w, new TensorOptional(), one, one, one, 1).sum().item_double();
    }
  }

  private static double render(FrameModel model) {
    try (PointerScope scope = new PointerScope()) {
      Tensor encoded = model.encodeSource(torch.rand(new long[] {1, 3, 128, 128}, seeded(3)));
      Tensor windows =
          torch
              .randn(new long[] {2, SadTalkerCost.COEFFS, SadTalkerCost.WINDOW}, seeded(4))
              .mul(new Scalar(0.1));
      long[] shape = encoded.sizes().vec().get();
      shape[0] = 2;
      return model.forward(encoded.expand(shape), windows).sum().item_double();
    }
  }

  /** Allocates and frees blocks of many sizes, each full of NaN. */
  private static void leaveNaNInFreedMemory() {
    try (PointerScope scope = new PointerScope()) {
      for (int k = 0; k < 200; k++) {
        torch.full(new long[] {1 + (k * 7919L) % 200_000}, new Scalar(Float.NaN));
      }
    }
  }

  private static GeneratorOptional seeded(long seed) {
    Generator generator = torch.createCPUGenerator(seed);
    return new GeneratorOptional(generator);
  }
}
