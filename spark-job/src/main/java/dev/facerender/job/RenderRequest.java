package dev.facerender.job;

import static java.util.Objects.requireNonNull;

import dev.facerender.io.InputException;
import java.util.List;
import java.util.Map;

/**
 * One render: where the tables are, where the output goes, how to treat an existing output ({@code
 * error-if-exists}, {@code overwrite}, {@code append} or {@code resume}) and the {@code
 * spark.facerender.*} settings.
 */
public record RenderRequest(
    String frames,
    String sources,
    String out,
    String inputFormat,
    String mode,
    int partitions,
    Map<String, String> conf) {
  /** What {@code --mode} may be: output's {@code OutputModes} says what each does. */
  public static final List<String> MODES =
      List.of("error-if-exists", "overwrite", "append", "resume");

  public RenderRequest {
    requireNonNull(frames, "frames is null");
    requireNonNull(sources, "sources is null");
    requireNonNull(out, "out is null");
    requireNonNull(mode, "mode is null");
    conf = Map.copyOf(conf);
    if (!MODES.contains(mode)) {
      throw new InputException(
          "--mode must be error-if-exists, overwrite, append or resume, got '" + mode + "'");
    }
  }
}
