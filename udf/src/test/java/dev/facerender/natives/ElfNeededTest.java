package dev.facerender.natives;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DT_NEEDED of the bundled libtorch.so, as readelf -d prints it: [libtorch_cpu.so]. */
class ElfNeededTest {
  private static final URL LIBTORCH =
      org.bytedeco.pytorch.presets.torch.class.getResource(
          "/org/bytedeco/pytorch/linux-x86_64/libtorch.so");

  @TempDir Path dir;

  @Test
  void readsTheLibrariesALibraryNeedsFromAJarEntry() throws IOException {
    assertThat(LIBTORCH).as("the CPU natives on the test class path").isNotNull();

    assertThat(ElfNeeded.of(LIBTORCH::openStream)).containsExactly("libtorch_cpu.so");
  }

  @Test
  void readsTheSameFromAFile() throws IOException {
    Path file = dir.resolve("libtorch.so");
    try (InputStream in = LIBTORCH.openStream()) {
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
    }

    assertThat(ElfNeeded.of(file)).containsExactly("libtorch_cpu.so");
  }

  @Test
  void aFileThatIsNoElfIsRefused() throws IOException {
    Path fake = Files.writeString(dir.resolve("libcudart.so.13"), "");

    assertThatThrownBy(() -> ElfNeeded.of(fake)).isInstanceOf(IOException.class);
  }
}
