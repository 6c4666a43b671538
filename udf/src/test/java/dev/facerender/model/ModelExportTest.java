package dev.facerender.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.facerender.codec.TensorFrames;
import dev.facerender.model.ModelExport.Exported;
import dev.facerender.model.ModelExport.Kind;
import dev.facerender.model.cost.SadTalkerCost;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.QualifiedName;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelExportTest {
  private static final int SIZE = 64;
  private static final int FRAMES = 3;

  @TempDir Path dir;

  @Test
  void anExportedWarpLoadedBackRendersExactlyTheBuiltInsFrames() {
    Path file = dir.resolve("warp.pt");
    Exported exported = ModelExport.save(BuiltinModels.WARP, file, "cpu");

    assertThat(exported)
        .isEqualTo(
            new Exported(BuiltinModels.WARP, file, sizeOf(file), Kind.RENDERER, false, false));
    try (FrameModel builtin = Models.load(BuiltinModels.WARP);
        FrameModel loaded = Models.load(file.toString());
        PointerScope scope = new PointerScope()) {
      Tensor source = TensorFrames.toTensor(WarpModelTest.TestFaces.face(SIZE));
      Tensor coeffs = coefficients(1, FRAMES, BuiltinModels.WARP_COEFFS);
      Tensor expected = builtin.forward(source, coeffs);
      Tensor actual = loaded.forward(source, coeffs);

      assertThat(maxAbsDiff(actual, expected)).isZero();
      // The frames moved: equal outputs are not two copies of the source.
      assertThat(maxAbsDiff(expected, source.expand(FRAMES, 3, SIZE, SIZE))).isGreaterThan(0.05);
    }
  }

  @Test
  void aUserFileExportedAgainRendersAsTheFileItCameFromAndKeepsItsSignature() {
    Path user = dir.resolve("user.pt");
    try (JitModule module = new JitModule(new QualifiedName("user.Blend"))) {
      BuiltinModels.define(
          module,
          "def forward(self, source: Tensor, coeffs: Tensor, source_coeffs: Tensor) -> Tensor:\n"
              + "    shift = (coeffs - source_coeffs).mean(1).view(-1, 1, 1, 1)\n"
              + "    return (source * 0.5 + shift).clamp(0.0, 1.0)\n");
      module.save(user.toString());
    }
    Path again = dir.resolve("again.pt");
    Exported exported = ModelExport.save(user.toString(), again, "cpu");

    assertThat(exported.kind()).isEqualTo(Kind.RENDERER);
    assertThat(exported.takesSourceCoeffs()).isTrue();
    assertThat(exported.hasEncodeSource()).isFalse();
    try (FrameModel original = Models.load(user.toString());
        FrameModel exportedModel = Models.load(again.toString());
        PointerScope scope = new PointerScope()) {
      Tensor source = coefficients(2, FRAMES, 3, SIZE, SIZE).add(new Scalar(0.5));
      Tensor coeffs = coefficients(3, FRAMES, 70);
      Tensor sourceCoeffs = coefficients(4, FRAMES, 70);
      assertThat(
              maxAbsDiff(
                  exportedModel.forward(source, coeffs, sourceCoeffs),
                  original.forward(source, coeffs, sourceCoeffs)))
          .isZero();
    }
  }

  @Test
  void theReferenceNetworkExportsWithItsSourceEncoder() {
    String spec = BuiltinModels.SADTALKER_ARCH + "?width=0.125";
    Exported exported = ModelExport.save(spec, dir.resolve("reference.pt"), "cpu");

    assertThat(exported.kind()).isEqualTo(Kind.RENDERER);
    assertThat(exported.hasEncodeSource()).isTrue();
    assertThat(exported.takesSourceCoeffs()).isFalse();
    assertThat(exported.bytes()).isGreaterThan(4L * SadTalkerCost.parameters(0.125));
  }

  @Test
  void theSharpenEnhancerExportsAsAnEnhancer() {
    Path file = dir.resolve("sharpen.pt");
    Exported exported = ModelExport.save(BuiltinModels.SHARPEN, file, "cpu");

    assertThat(exported.kind()).isEqualTo(Kind.ENHANCER);
    try (FrameEnhancer enhancer = Models.loadEnhancer(file.toString())) {
      ModelPreflight.check(enhancer);
    }
  }

  @Test
  void anUnknownBuiltInNamesTheValueAndTheModelsThereAre() {
    Path file = dir.resolve("nope.pt");
    assertThatThrownBy(() -> ModelExport.save("builtin:sadtalker", file, "cpu"))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("'builtin:sadtalker'")
        .hasMessageContaining(BuiltinModels.SADTALKER_ARCH)
        .hasMessageContaining(BuiltinModels.WARP)
        .hasMessageContaining(BuiltinModels.SHARPEN)
        .hasMessageContaining("torch.jit.save");
    assertThat(file).doesNotExist();
  }

  @Test
  void aMissingFileNamesThePathAndWhatToPass() {
    Path missing = dir.resolve("missing.pt");
    assertThatThrownBy(() -> ModelExport.save(missing.toString(), dir.resolve("out.pt"), "cpu"))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("torch.jit.save");
  }

  @Test
  void aFileFacerenderCannotRunIsNotLeftBehind() {
    Path user = dir.resolve("four-inputs.pt");
    try (JitModule module = new JitModule(new QualifiedName("user.Four"))) {
      BuiltinModels.define(
          module,
          "def forward(self, a: Tensor, b: Tensor, c: Tensor, d: Tensor) -> Tensor:\n"
              + "    return a\n");
      module.save(user.toString());
    }
    Path out = dir.resolve("out.pt");
    assertThatThrownBy(() -> ModelExport.save(user.toString(), out, "cpu"))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("forward takes 4 inputs");
    assertThat(out).doesNotExist();
  }

  /** Values in [-0.2, 0.2] drawn from {@code seed}. */
  private static Tensor coefficients(long seed, long... shape) {
    Generator random = torch.createCPUGenerator(seed);
    return torch
        .rand(shape, new GeneratorOptional(random))
        .sub(new Scalar(0.5))
        .mul(new Scalar(0.4));
  }

  private static double maxAbsDiff(Tensor a, Tensor b) {
    return a.sub(b).abs().max().item_double();
  }

  private static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
