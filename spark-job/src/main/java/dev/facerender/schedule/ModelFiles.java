package dev.facerender.schedule;

import dev.facerender.io.Digests;
import dev.facerender.io.NioLocalFileSystem;
import dev.facerender.model.BuiltinModels;
import dev.facerender.model.ModelException;
import dev.facerender.model.Models;
import dev.facerender.partition.task.RenderSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Model files on the driver: resolved (local path, {@code file:}, {@code hdfs://}, {@code s3a://}
 * or any Hadoop file system), checked against the allowed roots, copied next to the driver and
 * shipped to executors once with {@code SparkContext.addFile}. Executors load them by name.
 */
public final class ModelFiles {
  /** A model ready on the driver, and the spec executors load it by. */
  public record Shipped(String driverSpec, String executorSpec) {}

  // Process fact: one folder per JVM, since Spark refuses a second path for a file name it ships.
  private static Path staging;

  private final Configuration conf;
  private final SparkContext shipTo;
  private final List<URI> roots;

  public ModelFiles(SparkSession spark, String roots) {
    this(spark.sparkContext().hadoopConfiguration(), spark.sparkContext(), roots);
  }

  /**
   * Files are shipped to {@code shipTo}'s executors; with none (the local engine), used in place.
   */
  public ModelFiles(Configuration conf, SparkContext shipTo, String roots) {
    this.conf = conf;
    this.shipTo = shipTo;
    this.roots = new ArrayList<>();
    for (String root : roots.split(",")) {
      if (!root.isBlank()) {
        this.roots.add(normalize(root.strip()));
      }
    }
  }

  /** Builtins stay as they are; files are checked, staged and shipped. */
  public Shipped ship(String spec, String what) {
    if (BuiltinModels.isBuiltin(spec)) {
      return new Shipped(spec, spec);
    }
    URI uri = normalize(spec);
    checkAllowed(uri, spec, what);
    try {
      org.apache.hadoop.fs.Path source = new org.apache.hadoop.fs.Path(uri);
      FileSystem fs = NioLocalFileSystem.fileSystemFor(source, conf);
      if (!fs.exists(source) || !fs.getFileStatus(source).isFile()) {
        throw new ModelException(
            what
                + " file "
                + spec
                + " does not exist or is not a file: pass a TorchScript file saved with"
                + " torch.jit.save, or a builtin: name");
      }
      FileStatus status = fs.getFileStatus(source);
      // Same file, same name: a session that renders twice ships it once.
      String name =
          "model-"
              + Digests.sha256Hex(uri + "|" + status.getLen() + "|" + status.getModificationTime())
                  .substring(0, 12)
              + "-"
              + source.getName();
      // Links for this JVM's own loads, copies (in a folder of their own) for Spark to ship.
      Path folder = shipTo == null ? staging() : Files.createDirectories(staging().resolve("ship"));
      Path staged = folder.resolve(name);
      if (!Files.exists(staged, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        if ("file".equals(uri.getScheme()) && shipTo == null) {
          Files.createSymbolicLink(staged, Path.of(uri));
        } else if ("file".equals(uri.getScheme())) {
          // Spark's file server and its local executor compare the file they fetch with the copy
          // they made when it was added; a link into the user's folder can change under them
          // (a run once failed with "exists and does not match contents"): ship a copy.
          Files.copy(Path.of(uri), staged);
        } else {
          fs.copyToLocalFile(false, source, new org.apache.hadoop.fs.Path(staged.toUri()), true);
        }
        staged.toFile().deleteOnExit();
      }
      if (shipTo == null) {
        return new Shipped(staged.toString(), staged.toString());
      }
      shipTo.addFile(staged.toUri().toString());
      return new Shipped(staged.toString(), Models.SHIPPED + name);
    } catch (IOException e) {
      throw new ModelException(
          what + " file " + spec + " cannot be read: " + e.getMessage() + ". Check its path", e);
    }
  }

  private void checkAllowed(URI uri, String spec, String what) {
    if (roots.isEmpty()) {
      return;
    }
    for (URI root : roots) {
      if (under(uri, root)) {
        return;
      }
    }
    throw new ModelException(
        what
            + " file "
            + spec
            + " ("
            + uri
            + ") is outside the allowed model roots "
            + roots
            + ": move it under one of them, or add its folder to --model-roots");
  }

  private static boolean under(URI file, URI root) {
    if (!file.getScheme().equals(root.getScheme())) {
      return false;
    }
    if (root.getAuthority() != null && !root.getAuthority().equals(file.getAuthority())) {
      return false;
    }
    String rootPath = root.getPath().endsWith("/") ? root.getPath() : root.getPath() + "/";
    return file.getPath().startsWith(rootPath);
  }

  /** An absolute URI with {@code ..} resolved, so a path cannot climb out of a root. */
  static URI normalize(String spec) {
    URI uri;
    if (spec.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*") && !spec.matches("^[a-zA-Z]:\\\\.*")) {
      uri = URI.create(spec);
      if ("file".equals(uri.getScheme())) {
        uri = Path.of(uri.getPath()).toAbsolutePath().normalize().toUri();
      }
    } else {
      uri = Path.of(spec).toAbsolutePath().normalize().toUri();
    }
    return uri.normalize();
  }

  private static synchronized Path staging() throws IOException {
    if (staging == null) {
      staging = Files.createTempDirectory("facerender-models-");
      staging.toFile().deleteOnExit();
    }
    return staging;
  }

  /**
   * How a scheduler makes sure its tasks can load the shipped files, before any task: each
   * scheduler owns its check ({@code spark.DriverTestBatch}, {@code local.LoadedForTasks}).
   */
  public interface Check {
    void model(Shipped model, RenderSettings settings);

    void enhancer(Shipped enhancer, RenderSettings settings);
  }

  /**
   * Checks, stages and ships the model files of {@code settings} and hands them to {@code check},
   * so a missing or broken file stops the run before any task. Returns the settings executors get
   * (with {@code base64Sources} still to set from the input).
   */
  public RenderSettings preflight(RenderSettings settings, Check check) {
    ModelFiles.Shipped model = ship(settings.network().model(), "Model");
    check.model(model, settings);
    String enhancer = settings.network().enhancer();
    if (settings.network().hasEnhancer()) {
      ModelFiles.Shipped shipped = ship(settings.network().enhancer(), "Enhancer");
      check.enhancer(shipped, settings);
      enhancer = shipped.executorSpec();
    }
    return settings.forExecutors(model.executorSpec(), enhancer, false);
  }
}
