package dev.facerender.device;

import dev.facerender.natives.TorchNatives;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a GPU Spark assigned can be rendered on: only when libtorch itself has CUDA and counts
 * that index among its devices. A loading CUDA runtime proves nothing: the CPU build of libtorch
 * loads beside a node's cudart and then fails at the first {@code module.to(cuda)}.
 */
public final class CudaAvailability {
  private static final Logger LOG = LoggerFactory.getLogger(CudaAvailability.class);
  // Process fact: CUDA_DEVICE_ORDER is the process's environment; one warning a JVM is enough.
  private static final AtomicBoolean ORDER_WARNED = new AtomicBoolean();

  /** Whether the CUDA runtime loads: a fact of the process's native libraries, probed once. */
  private static volatile Boolean cudaRuntime;

  /** What this process can learn about CUDA; the native one is probed once per JVM. */
  public interface Probe {
    /** Devices libtorch can use: 0 for the CPU build, or when its CUDA part did not load. */
    int torchDevices();

    /** {@code cudaDriverGetVersion} (e.g. 13000 for 13.0); 0 for no driver, -1 for no cudart. */
    int driverVersion();

    /** The natives' platform extension: {@code -gpu} for the GPU build, empty for the CPU one. */
    String nativesExtension();

    /** The process environment CUDA reads ({@code CUDA_DEVICE_ORDER}, visible devices). */
    Map<String, String> environment();
  }

  private final Probe probe;

  public CudaAvailability(Probe probe) {
    this.probe = probe;
  }

  /** Availability as this process's libtorch and CUDA runtime report it. */
  public static CudaAvailability ofThisProcess() {
    return new CudaAvailability(NativeProbe.INSTANCE);
  }

  /** CUDA devices libtorch can use here: 0 for the CPU build or when its CUDA part did not load. */
  public int torchDevices() {
    return probe.torchDevices();
  }

  /**
   * Returns normally when GPU {@code index} can render here; otherwise throws one error that says
   * what is missing and how to build and run for a GPU.
   */
  public void require(int index) {
    int devices = probe.torchDevices();
    if (devices <= 0) {
      throw new IllegalStateException(
          "Spark assigned GPU "
              + index
              + " to this task, but libtorch here has no CUDA (torch.cuda_is_available() is"
              + " false; "
              + driver()
              + "). "
              + (probe.nativesExtension().endsWith("-gpu")
                  ? "The GPU natives are in use, so libtorch's CUDA part failed to load: the node"
                      + " lacks a CUDA 13 library it needs (docs/cluster.md lists them; check"
                      + " LD_LIBRARY_PATH)."
                  : "The natives in use are the CPU build: build the GPU natives with `mvn -Pgpu"
                      + " -DskipTests package`, ship spark-job/target/natives-linux-x86_64-gpu/*.jar"
                      + " and run with -Dorg.bytedeco.javacpp.platform.extension=-gpu"
                      + " (conf/spark-defaults.gpu-cluster.conf sets it)."));
    }
    if (index >= devices) {
      throw new IllegalStateException(
          "Spark assigned GPU "
              + index
              + " to this task, but libtorch sees "
              + devices
              + " CUDA device(s), 0 to "
              + (devices - 1)
              + " (CUDA_VISIBLE_DEVICES="
              + probe.environment().getOrDefault("CUDA_VISIBLE_DEVICES", "<unset>")
              + "): the discovery script must print the CUDA indices this process sees"
              + " (conf/getGpusResources.sh does)");
    }
    warnOnDeviceOrder(devices);
  }

  private String driver() {
    int version = probe.driverVersion();
    if (version < 0) {
      return "no CUDA runtime loads, so the driver version is unknown";
    }
    if (version == 0) {
      return "no CUDA driver is installed";
    }
    return String.format(
        Locale.ROOT, "CUDA driver %d.%d is installed", version / 1000, version % 1000 / 10);
  }

  /** CUDA numbers GPUs fastest first unless told PCI order, while nvidia-smi uses PCI order. */
  private void warnOnDeviceOrder(int devices) {
    String order = probe.environment().get("CUDA_DEVICE_ORDER");
    if (devices > 1 && !"PCI_BUS_ID".equals(order) && ORDER_WARNED.compareAndSet(false, true)) {
      LOG.warn(
          "CUDA_DEVICE_ORDER is {} on a machine with {} GPUs: CUDA then numbers them fastest"
              + " first while nvidia-smi (and so the discovery script) numbers them in PCI order;"
              + " set spark.executorEnv.CUDA_DEVICE_ORDER=PCI_BUS_ID (the GPU conf template does)",
          order == null ? "unset" : order,
          devices);
    }
  }

  /** libtorch and cudart of this process, asked once. */
  private enum NativeProbe implements Probe {
    INSTANCE;

    private volatile Integer torchDevices;
    private volatile Integer driverVersion;

    @Override
    public int torchDevices() {
      Integer known = torchDevices;
      if (known == null) {
        TorchNatives.load();
        known = torch.cuda_is_available() ? Math.max(0, torch.cuda_device_count()) : 0;
        torchDevices = known;
      }
      return known;
    }

    @Override
    public int driverVersion() {
      Integer known = driverVersion;
      if (known == null) {
        known = readDriverVersion();
        driverVersion = known;
      }
      return known;
    }

    private static int readDriverVersion() {
      try (IntPointer version = new IntPointer(1)) {
        return cudart.cudaDriverGetVersion(version) == 0 ? version.get() : 0;
      } catch (LinkageError e) {
        return -1;
      }
    }

    @Override
    public String nativesExtension() {
      return System.getProperty("org.bytedeco.javacpp.platform.extension", "");
    }

    @Override
    public Map<String, String> environment() {
      return System.getenv();
    }
  }

  /**
   * Whether the CUDA runtime loads here (reported by the doctor; rendering on a GPU needs more, see
   * {@link CudaAvailability}); probed once per JVM, one log line when it does not.
   */
  public static boolean runtimeLoads() {
    Boolean known = cudaRuntime;
    if (known != null) {
      return known;
    }
    synchronized (CudaAvailability.class) {
      if (cudaRuntime == null) {
        cudaRuntime = probeCuda();
      }
      return cudaRuntime;
    }
  }

  private static boolean probeCuda() {
    try (IntPointer count = new IntPointer(1)) {
      int status = cudart.cudaGetDeviceCount(count);
      if (status != 0 || count.get() == 0) {
        LOG.info("No usable CUDA device (cudaGetDeviceCount status {})", status);
        return false;
      }
      return true;
    } catch (LinkageError e) {
      LOG.info("No CUDA runtime on this machine ({})", e.getMessage());
      return false;
    }
  }
}
