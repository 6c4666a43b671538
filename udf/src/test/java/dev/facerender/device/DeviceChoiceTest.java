package dev.facerender.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.facerender.natives.NativesKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One test per decision {@code --device} can come to. */
class DeviceChoiceTest {
  private static final GpuListing NO_SMI = new GpuListing(0, "nvidia-smi not found on PATH");

  private static DeviceFacts cpuNatives(int listed) {
    return new DeviceFacts(NativesKind.CPU, listing(listed), null, -1, 0);
  }

  private static DeviceFacts gpuNatives(int listed, String visible, int torchGpus) {
    return new DeviceFacts(NativesKind.GPU, listing(listed), visible, torchGpus, 0);
  }

  private static GpuListing listing(int listed) {
    return listed == 0 ? NO_SMI : new GpuListing(listed, "nvidia-smi");
  }

  @Test
  void cpuNativesRenderOnTheCpuAndSayHowToUseTheGpu() {
    DeviceChoice choice = DeviceChoice.decide("auto", cpuNatives(1));

    assertThat(choice.kind()).isEqualTo(DeviceKind.CPU);
    assertThat(choice.devices()).containsExactly("cpu");
    assertThat(choice.reason())
        .isEqualTo("cpu: CPU natives in use, build with -Pgpu to render on the 1 GPU seen");
  }

  @Test
  void cpuNativesOnAMachineWithoutGpuSayNoGpuWasSeen() {
    assertThat(DeviceChoice.decide("auto", cpuNatives(0)).reason())
        .isEqualTo("cpu: CPU natives in use, no GPU seen (nvidia-smi not found on PATH)");
  }

  @Test
  void gpuNativesWithoutAGpuFallToTheCpuWithTheReason() {
    DeviceChoice choice = DeviceChoice.decide("auto", gpuNatives(0, null, -1));

    assertThat(choice.devices()).containsExactly("cpu");
    assertThat(choice.reason())
        .isEqualTo("cpu: GPU natives, but no GPU seen (nvidia-smi not found on PATH)");
  }

  @Test
  void gpuNativesWithOneGpuRenderOnCuda0() {
    DeviceChoice choice = DeviceChoice.decide("auto", gpuNatives(1, null, 1));

    assertThat(choice.kind()).isEqualTo(DeviceKind.CUDA);
    assertThat(choice.gpus()).containsExactly(0);
    assertThat(choice.reason()).isEqualTo("cuda:0: GPU natives, 1 GPU seen");
  }

  @Test
  void gpuNativesWithFourGpusTakeAllFour() {
    DeviceChoice choice = DeviceChoice.decide("auto", gpuNatives(4, null, 4));

    assertThat(choice.devices()).containsExactly("cuda:0", "cuda:1", "cuda:2", "cuda:3");
    assertThat(choice.reason()).isEqualTo("cuda:0,cuda:1,cuda:2,cuda:3: GPU natives, 4 GPUs seen");
    assertThat(choice.resourcesForSlot(5).get("gpu").addresses()).containsExactly("1");
  }

  @Test
  void cudaVisibleDevicesLeavesWhatCudaShowsNumberedFromZero() {
    DeviceChoice choice = DeviceChoice.decide("auto", gpuNatives(4, "2, 3", -1));

    assertThat(choice.devices()).containsExactly("cuda:0", "cuda:1");
    assertThat(choice.reason())
        .isEqualTo(
            "cuda:0,cuda:1: GPU natives, 2 of 4 GPUs visible under CUDA_VISIBLE_DEVICES=2, 3"
                + " (numbered from 0, as CUDA does)");
  }

  @Test
  void cudaVisibleDevicesStopsAtTheFirstEntryNamingNoGpu() {
    assertThat(DeviceChoice.cudaVisible(2, "1,7,0")).containsExactly("1");
    assertThat(DeviceChoice.cudaVisible(2, "GPU-5f2c,MIG-1a,0")).hasSize(3);
    assertThat(DeviceChoice.cudaVisible(2, "-1")).isEmpty();
    assertThat(DeviceChoice.cudaVisible(2, null)).containsExactly("0", "1");
  }

  @Test
  void cudaVisibleDevicesHidingEveryGpuFallsToTheCpu() {
    assertThat(DeviceChoice.decide("auto", gpuNatives(2, "", -1)).reason())
        .isEqualTo(
            "cpu: GPU natives, but CUDA_VISIBLE_DEVICES='' hides all 2 GPUs nvidia-smi lists");
  }

  @Test
  void libtorchsCountWinsWhereItWasAsked() {
    // A MIG UUID entry: nvidia-smi lists the parent GPU, CUDA shows the slice.
    DeviceChoice choice = DeviceChoice.decide("auto", gpuNatives(1, "MIG-1a,MIG-2b", 2));

    assertThat(choice.devices()).containsExactly("cuda:0", "cuda:1");
  }

  @Test
  void gpuNativesWhoseCudaPartDidNotLoadFallToTheCpuPointingAtTheDoctor() {
    DeviceChoice choice = DeviceChoice.decide("auto", gpuNatives(1, null, 0));

    assertThat(choice.devices()).containsExactly("cpu");
    assertThat(choice.reason())
        .startsWith("cpu: GPU natives and 1 GPU seen, but libtorch's CUDA part did not load")
        .contains("./facerender doctor");
  }

  @Test
  void gpuNativesThatDoNotLoadAtAllStopWithTheLinkersWordAndTheDoctor() {
    DeviceFacts facts =
        new DeviceFacts(
            NativesKind.GPU,
            listing(1),
            null,
            0,
            0,
            "libtorch_cuda.so: libcusparse.so.12: cannot open shared object file");

    for (String device : List.of("auto", "cpu", "cuda")) {
      assertThatThrownBy(() -> DeviceChoice.decide(device, facts))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("libcusparse.so.12: cannot open shared object file")
          .hasMessageContaining("./facerender doctor")
          .hasMessageContaining("FACERENDER_NATIVES=cpu");
    }
  }

  @Test
  void theLinkersMessageIsKeptFromTheLibrarysFileNameOn() {
    UnsatisfiedLinkError error =
        new UnsatisfiedLinkError("no torch_cuda in java.library.path: /usr/lib");
    error.initCause(
        new UnsatisfiedLinkError(
            "/root/.javacpp/cache/x.jar/org/bytedeco/pytorch/linux-x86_64-gpu/libtorch_cuda.so:"
                + " libcusparse.so.12: cannot open shared object file: No such file or directory"));

    assertThat(DeviceFacts.linkerMessage(error))
        .isEqualTo(
            "libtorch_cuda.so: libcusparse.so.12: cannot open shared object file: No such file or"
                + " directory");
  }

  @Test
  void cpuAskedForRendersOnTheCpuWhateverTheGpus() {
    DeviceChoice choice = DeviceChoice.decide("cpu", gpuNatives(4, null, 4));

    assertThat(choice.devices()).containsExactly("cpu");
    assertThat(choice.reason()).isEqualTo("cpu: --device cpu");
  }

  @Test
  void oneGpuAskedForByIndexIsTheOnlyOneUsed() {
    DeviceChoice choice = DeviceChoice.decide("cuda:2", gpuNatives(4, null, 4));

    assertThat(choice.gpus()).containsExactly(2);
    assertThat(choice.reason()).isEqualTo("cuda:2: --device cuda:2, GPU natives, 4 GPUs seen");
  }

  @Test
  void cudaWithTheCpuNativesFailsNamingTheGpuBuild() {
    assertThatThrownBy(() -> DeviceChoice.decide("cuda", cpuNatives(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--device cuda: the natives in use are libtorch's CPU build")
        .hasMessageContaining("mvn -Pgpu -DskipTests package")
        .hasMessageContaining("FACERENDER_NATIVES=gpu");
  }

  @Test
  void cudaWithoutAGpuFailsSayingWhy() {
    assertThatThrownBy(() -> DeviceChoice.decide("cuda", gpuNatives(0, null, -1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "--device cuda: GPU natives, but no GPU seen (nvidia-smi not found on PATH): run on a"
                + " machine with an NVIDIA GPU and its driver, or use --device cpu");
  }

  @Test
  void cudaWhoseLibrariesAreMissingFailsPointingAtTheDoctor() {
    assertThatThrownBy(() -> DeviceChoice.decide("cuda:0", gpuNatives(1, null, 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("libtorch's CUDA part did not load")
        .hasMessageContaining("./facerender doctor");
  }

  @Test
  void aGpuIndexBeyondWhatLibtorchSeesFailsListingTheOnesThereAre() {
    assertThatThrownBy(() -> DeviceChoice.decide("cuda:2", gpuNatives(4, "0,1", -1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--device cuda:2: libtorch sees 2 GPUs here, cuda:0 to cuda:1");
  }

  @Test
  void aSimulatedGpuCountsAsTheOneGpuSeen() {
    DeviceFacts facts = new DeviceFacts(NativesKind.CPU, GpuListing.NONE, null, -1, 16L << 30);

    DeviceChoice choice = DeviceChoice.decide("auto", facts);

    assertThat(choice.kind()).isEqualTo(DeviceKind.SIMULATED_GPU);
    assertThat(choice.devices()).containsExactly("sim-gpu:0");
    assertThat(choice.reason())
        .isEqualTo("sim-gpu:0: simulated GPU of 16.00 GiB (--simulate-gpu), 1 GPU seen");
    assertThatThrownBy(() -> DeviceChoice.decide("cpu", facts))
        .hasMessageContaining("contradicts --simulate-gpu");
  }

  @Test
  void anUnknownDeviceIsRefusedListingTheValues() {
    assertThatThrownBy(() -> DeviceChoice.decide("gpu", cpuNatives(0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--device must be auto, cpu, cuda or cuda:N, got 'gpu'");
  }

  @Test
  void theGpusOfAChoiceAreCudaIndices() {
    assertThatThrownBy(() -> new DeviceChoice(DeviceKind.CUDA, List.of(), "none"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
