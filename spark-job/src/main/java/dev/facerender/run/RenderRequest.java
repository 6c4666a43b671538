package dev.facerender.run;

import static java.util.Objects.requireNonNull;

import dev.facerender.io.InputException;
import dev.facerender.output.OutputModes;
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
  public RenderRequest {
    requireNonNull(frames, "frames is null");
    requireNonNull(sources, "sources is null");
    requireNonNull(out, "out is null");
    requireNonNull(mode, "mode is null");
    conf = Map.copyOf(conf);
    if (!OutputModes.MODES.contains(mode)) {
      throw new InputException(
          "--mode must be error-if-exists, overwrite, append or resume, got '" + mode + "'");
    }
  }
}
