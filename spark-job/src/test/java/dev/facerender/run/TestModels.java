package dev.facerender.run;

import java.nio.file.Path;
import org.bytedeco.pytorch.ClassType;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.QualifiedName;
import org.bytedeco.pytorch.QualifiedNameOptional;
import org.bytedeco.pytorch.SimpleSelf;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** TorchScript files written by tests, as a user's exported model would be. */
final class TestModels {
  private TestModels() {}

  /**
   * Compiles {@code source} into a module (with an optional buffer) and saves it to {@code file}.
   */
  static Path save(Path file, String source, String bufferName, Tensor buffer) {
    try (JitModule module =
        new JitModule(new QualifiedName("test.M" + Math.abs(file.hashCode())))) {
      if (bufferName != null) {
        module.register_buffer(bufferName, buffer);
      }
      ClassType type = module.type();
      type.compilation_unit()
          .define(
              new QualifiedNameOptional(type.name().get()),
              source,
              torch.nativeResolver(),
              new SimpleSelf(type));
      module.save(file.toString());
    }
    return file;
  }

  static Path save(Path file, String source) {
    return save(file, source, null, null);
  }
}
