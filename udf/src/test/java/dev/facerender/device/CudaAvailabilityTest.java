package dev.facerender.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.facerender.runtime.Devices;
import java.util.Map;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/** A GPU counts only when libtorch has CUDA and that index among its devices. */
class CudaAvailabilityTest {
  /** What a node reports; the real probe asks libtorch and cudart. */
  record FakeProbe(
      int torchDevices, int driverVersion, String nativesExtension, Map<String, String> environment)
      implements CudaAvailability.Probe {}

  /** A probe that fails the test when asked: the CPU and simulated paths must not need CUDA. */
  static final class UnaskedProbe implements CudaAvailability.Probe {
    @Override
    public int torchDevices() {
      throw new AssertionError("CUDA was probed for a task without a GPU");
    }

    @Override
    public int driverVersion() {
      throw new AssertionError("CUDA was probed for a task without a GPU");
    }

    @Override
    public String nativesExtension() {
      throw new AssertionError("CUDA was probed for a task without a GPU");
    }

    @Override
    public Map<String, String> environment() {
      throw new AssertionError("CUDA was probed for a task without a GPU");
    }
  }

  @Test
  void aCudaDriverBesideTheCpuBuildOfLibtorchIsAnErrorNamingTheGpuBuild() {
    CudaAvailability cuda = new CudaAvailability(new FakeProbe(0, 13000, "", Map.of()));

    assertThatThrownBy(() -> new Devices().forTask(0, 0.5, 0L, GpuResources.gpu(0), cuda))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Spark assigned GPU 0")
        .hasMessageContaining("libtorch here has no CUDA")
        .hasMessageContaining("CUDA driver 13.0 is installed")
        .hasMessageContaining("CPU build")
        .hasMessageContaining("mvn -Pgpu")
        .hasMessageContaining("-Dorg.bytedeco.javacpp.platform.extension=-gpu");
  }

  @Test
  void theGpuBuildWithoutItsCudaLibrariesPointsAtTheNodesLibraries() {
    CudaAvailability cuda = new CudaAvailability(new FakeProbe(0, 12040, "-gpu", Map.of()));

    assertThatThrownBy(() -> cuda.require(1))
        .hasMessageContaining("Spark assigned GPU 1")
        .hasMessageContaining("CUDA driver 12.4 is installed")
        .hasMessageContaining("libtorch's CUDA part failed to load")
        .hasMessageContaining("docs/cluster.md")
        .message()
        .doesNotContain("mvn -Pgpu");
  }

  @Test
  void noCudaRuntimeAndNoDriverAreToldApart() {
    assertThatThrownBy(() -> new CudaAvailability(new FakeProbe(0, -1, "", Map.of())).require(0))
        .hasMessageContaining("no CUDA runtime loads");
    assertThatThrownBy(() -> new CudaAvailability(new FakeProbe(0, 0, "", Map.of())).require(0))
        .hasMessageContaining("no CUDA driver is installed");
  }

  @Test
  void anIndexBeyondLibtorchsDevicesIsAnErrorShowingWhatIsVisible() {
    CudaAvailability cuda =
        new CudaAvailability(
            new FakeProbe(2, 13000, "-gpu", Map.of("CUDA_VISIBLE_DEVICES", "4,5")));

    assertThatThrownBy(() -> cuda.require(2))
        .hasMessageContaining("libtorch sees 2 CUDA device(s), 0 to 1")
        .hasMessageContaining("CUDA_VISIBLE_DEVICES=4,5")
        .hasMessageContaining("conf/getGpusResources.sh");
    assertThatCode(() -> cuda.require(1)).doesNotThrowAnyException();
  }

  @Test
  void tasksWithoutAGpuOrOnASimulatedOneNeverAskCuda() {
    CudaAvailability cuda = new CudaAvailability(new UnaskedProbe());

    assertThat(new Devices().forTask(0, 0.5, 0L, Map.of(), cuda).kind()).isEqualTo(DeviceKind.CPU);
    assertThat(new Devices().forTask(8L << 30, 0.5, 0L, GpuResources.gpu(1), cuda).id())
        .isEqualTo("sim-gpu:1");
  }

  @Test
  void thisProcessCountsAGpuExactlyWhenItsLibtorchHasCuda() {
    CudaAvailability cuda = CudaAvailability.ofThisProcess();

    if (torch.cuda_is_available()) {
      assertThatCode(() -> cuda.require(0)).doesNotThrowAnyException();
    } else {
      assertThatThrownBy(() -> cuda.require(0)).hasMessageContaining("libtorch here has no CUDA");
    }
  }
}
