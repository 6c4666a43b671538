package dev.facerender.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GpuListingTest {
  @TempDir Path dir;

  private Path fakeSmi(String script) throws Exception {
    Path smi = dir.resolve("nvidia-smi");
    Files.writeString(smi, "#!/bin/sh\n" + script + "\n");
    Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
    return smi;
  }

  @Test
  void countsTheIndicesNvidiaSmiPrints() throws Exception {
    fakeSmi("printf '0\\n1\\n2\\n3\\n'");

    assertThat(GpuListing.of("/nonexistent:" + dir)).isEqualTo(new GpuListing(4, "nvidia-smi"));
  }

  @Test
  void noNvidiaSmiOnThePathIsNoGpu() {
    assertThat(GpuListing.of(dir.toString()))
        .isEqualTo(new GpuListing(0, "nvidia-smi not found on PATH"));
  }

  @Test
  void aFailingNvidiaSmiIsNoGpuWithItsMessage() throws Exception {
    fakeSmi(
        "echo 'NVIDIA-SMI has failed because it could not communicate with the driver'; exit 9");

    GpuListing listing = GpuListing.of(dir.toString());

    assertThat(listing.count()).isZero();
    assertThat(listing.note())
        .isEqualTo(
            "nvidia-smi failed: NVIDIA-SMI has failed because it could not communicate with the"
                + " driver");
  }

  @Test
  void outputThatIsNoIndexIsNotCountedAsGpus() {
    assertThat(GpuListing.parse("No devices were found\n").count()).isZero();
    assertThat(GpuListing.parse("\n").note()).isEqualTo("nvidia-smi lists no GPU");
  }
}
