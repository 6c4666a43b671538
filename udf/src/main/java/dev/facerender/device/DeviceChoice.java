package dev.facerender.device;

import static java.util.Objects.requireNonNull;

import dev.facerender.config.DataSize;
import dev.facerender.config.DeviceConf;
import dev.facerender.config.FacerenderConf;
import dev.facerender.natives.NativesKind;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.resource.ResourceInformation;

/**
 * Where a run on this machine renders (the local engine, local Spark), and why in one line. {@code
 * gpus} are CUDA device indices as libtorch numbers them (after {@code CUDA_VISIBLE_DEVICES});
 * empty for the CPU. {@link #decide} is pure: every decision is a function of the request and
 * {@link DeviceFacts}.
 */
public record DeviceChoice(DeviceKind kind, List<Integer> gpus, String reason)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The values {@code --device} takes. */
  public static final String VALUES = "auto, cpu, cuda or cuda:N";

  private static final String GPU_BUILD =
      "build the GPU natives (`mvn -Pgpu -DskipTests package`; ./facerender does it when"
          + " nvidia-smi lists a GPU, FACERENDER_NATIVES=gpu forces it) and run with"
          + " -Dorg.bytedeco.javacpp.platform.extension=-gpu";

  public DeviceChoice {
    requireNonNull(kind, "kind is null");
    requireNonNull(reason, "reason is null");
    gpus = List.copyOf(gpus);
    if ((kind == DeviceKind.CPU) != gpus.isEmpty()) {
      throw new IllegalArgumentException(kind + " with GPUs " + gpus);
    }
  }

  /** Whether {@code value} is one of {@link #VALUES}. */
  public static boolean isValid(String value) {
    return value.matches(DeviceConf.DEVICE_VALUES);
  }

  /**
   * Decides for {@code requested} ({@link #VALUES}): {@code auto} takes every GPU libtorch can use
   * and else the CPU, saying why; {@code cuda} and {@code cuda:N} fail with the fix when they
   * cannot be had.
   */
  public static DeviceChoice decide(String requested, DeviceFacts facts) {
    String asked = requested.strip();
    if (!isValid(asked)) {
      throw new IllegalArgumentException(
          "--device must be " + VALUES + ", got '" + requested + "'");
    }
    if (facts.nativesError() != null) {
      // Nothing renders, not even on the CPU: libtorch itself did not load.
      throw new IllegalArgumentException(
          "The GPU natives do not load here ("
              + facts.nativesError()
              + "): `./facerender doctor` lists every CUDA library they need, where it was found"
              + " and what to install; FACERENDER_NATIVES=cpu (a build without -Pgpu) renders on"
              + " the CPU");
    }
    if (facts.simulatedGpuBytes() > 0) {
      return simulated(asked, facts.simulatedGpuBytes());
    }
    if (asked.equals("cpu")) {
      return cpu("--device cpu");
    }
    boolean must = !asked.equals("auto");
    int listed = facts.gpus().count();
    if (facts.natives() == NativesKind.CPU) {
      if (must) {
        throw new IllegalArgumentException(
            "--device " + asked + ": the natives in use are libtorch's CPU build: " + GPU_BUILD);
      }
      return cpu(
          listed == 0
              ? "CPU natives in use, no GPU seen (" + facts.gpus().note() + ")"
              : "CPU natives in use, build with -Pgpu to render on the " + gpus(listed) + " seen");
    }
    List<String> visible = cudaVisible(listed, facts.cudaVisibleDevices());
    if (visible.isEmpty()) {
      String why =
          listed == 0
              ? "no GPU seen (" + facts.gpus().note() + ")"
              : "CUDA_VISIBLE_DEVICES='"
                  + facts.cudaVisibleDevices()
                  + "' hides all "
                  + gpus(listed)
                  + " nvidia-smi lists";
      if (must) {
        throw new IllegalArgumentException(
            "--device "
                + asked
                + ": GPU natives, but "
                + why
                + ": run on a machine with an NVIDIA GPU and its driver"
                + (listed == 0 ? "" : ", or unset CUDA_VISIBLE_DEVICES")
                + ", or use --device cpu");
      }
      return cpu("GPU natives, but " + why);
    }
    if (facts.torchGpus() == 0) {
      String why =
          "GPU natives and "
              + gpus(visible.size())
              + " seen, but libtorch's CUDA part did not load: a CUDA 13 or cuDNN 9 library it"
              + " needs is missing (`./facerender doctor` names each one and where to get it)";
      if (must) {
        throw new IllegalArgumentException("--device " + asked + ": " + why);
      }
      return cpu(why);
    }
    // libtorch's own count is the last word where it was asked (UUID entries, MIG slices).
    int usable = facts.torchGpus() > 0 ? facts.torchGpus() : visible.size();
    String seen =
        facts.cudaVisibleDevices() == null
            ? "GPU natives, " + gpus(usable) + " seen"
            : String.format(
                "GPU natives, %d of %s visible under CUDA_VISIBLE_DEVICES=%s (numbered from 0, as"
                    + " CUDA does)",
                usable, gpus(listed), facts.cudaVisibleDevices());
    if (asked.startsWith("cuda:")) {
      int index = Integer.parseInt(asked.substring("cuda:".length()));
      if (index >= usable) {
        throw new IllegalArgumentException(
            String.format(
                "--device %s: libtorch sees %s here, cuda:0 to cuda:%d (%s): pick one of them, or"
                    + " --device cuda for all",
                asked, gpus(usable), usable - 1, seen));
      }
      return gpu(DeviceKind.CUDA, List.of(index), "--device " + asked + ", " + seen);
    }
    return gpu(DeviceKind.CUDA, IntStream.range(0, usable).boxed().toList(), seen);
  }

  /** The decision for the {@code spark.facerender.*} values {@code conf} on this machine. */
  public static DeviceChoice of(Map<String, String> conf) {
    return decide(
        FacerenderConf.get(DeviceConf.DEVICE, conf),
        DeviceFacts.ofThisMachine(FacerenderConf.get(FacerenderConf.SIMULATE_GPU, conf)));
  }

  /**
   * What CUDA shows under {@code cudaVisibleDevices} (null: unset) of the {@code listed} GPUs: its
   * entries in order up to the first that names no GPU (an index nvidia-smi does not list; UUIDs,
   * {@code GPU-...} and {@code MIG-...}, are taken as given), as conf/getGpusResources.sh reads it.
   */
  static List<String> cudaVisible(int listed, String cudaVisibleDevices) {
    List<String> visible = new ArrayList<>();
    if (cudaVisibleDevices == null) {
      IntStream.range(0, listed).forEach(i -> visible.add(Integer.toString(i)));
      return visible;
    }
    for (String raw : cudaVisibleDevices.split(",", -1)) {
      String entry = raw.strip();
      boolean known =
          entry.startsWith("GPU-")
              || entry.startsWith("MIG-")
              || (entry.matches("[0-9]{1,4}") && Integer.parseInt(entry) < listed);
      if (!known) {
        break;
      }
      visible.add(entry);
    }
    return visible;
  }

  private static DeviceChoice simulated(String asked, long bytes) {
    if (asked.equals("cpu") || asked.matches("cuda:[0-9]+") && !asked.equals("cuda:0")) {
      throw new IllegalArgumentException(
          "--device "
              + asked
              + " contradicts --simulate-gpu "
              + DataSize.format(bytes)
              + ", one simulated GPU (sim-gpu:0): drop one of them");
    }
    return gpu(
        DeviceKind.SIMULATED_GPU,
        List.of(0),
        "simulated GPU of " + DataSize.format(bytes) + " (--simulate-gpu), 1 GPU seen");
  }

  private static DeviceChoice cpu(String why) {
    return new DeviceChoice(DeviceKind.CPU, List.of(), "cpu: " + why);
  }

  private static DeviceChoice gpu(DeviceKind kind, List<Integer> gpus, String why) {
    DeviceChoice unlabelled = new DeviceChoice(kind, gpus, why);
    return new DeviceChoice(kind, gpus, unlabelled.label() + ": " + why);
  }

  private static String gpus(int n) {
    return n == 1 ? "1 GPU" : n + " GPUs";
  }

  /** The devices by name: {@code cpu}, {@code cuda:0}, {@code sim-gpu:0}. */
  public List<String> devices() {
    if (kind == DeviceKind.CPU) {
      return List.of("cpu");
    }
    String prefix = kind == DeviceKind.CUDA ? "cuda:" : "sim-gpu:";
    return gpus.stream().map(i -> prefix + i).toList();
  }

  /** The devices joined by commas. */
  public String label() {
    return devices().stream().collect(Collectors.joining(","));
  }

  public boolean onGpu() {
    return kind != DeviceKind.CPU;
  }

  /** What a task in render slot {@code slot} is given, as Spark would: GPU {@code slot mod n}. */
  public Map<String, ResourceInformation> resourcesForSlot(int slot) {
    return onGpu() ? GpuResources.gpu(gpus.get(Math.floorMod(slot, gpus.size()))) : Map.of();
  }
}
