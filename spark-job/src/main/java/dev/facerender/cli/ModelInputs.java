package dev.facerender.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.facerender.config.DataSize;
import dev.facerender.model.ModelExport.Exported;
import dev.facerender.model.ModelExport.Kind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The inputs Facerender feeds an exported model at one frame size and window, written beside the
 * file as {@code FILE.json} so that bench/gpu-probe.py builds the same ones. A batch of {@code N}
 * frames of one clip: the clip's image {@code [1,3,H,W]} float in [0,1] (or what {@code
 * encode_source} made of it, once per clip) expanded over the batch, coefficients {@code [N,C]} or
 * windows {@code [N,C,W]}, and the clip's source coefficients {@code [N,C]} when forward takes
 * them.
 */
record ModelInputs(
    int sidecarVersion,
    String model,
    String file,
    long bytes,
    String kind,
    int size,
    int coeffCount,
    int windowWidth,
    boolean takesSourceCoeffs,
    boolean hasEncodeSource,
    Map<String, String> inputs) {
  static final int VERSION = 1;

  static ModelInputs of(Exported exported, int size, int coeffCount, int windowWidth) {
    boolean renderer = exported.kind() == Kind.RENDERER;
    Map<String, String> inputs = new LinkedHashMap<>();
    String image = "[1,3," + size + "," + size + "]";
    if (!renderer) {
      inputs.put("frames", "[N,3," + size + "," + size + "] float in [0,1]");
    } else {
      inputs.put(
          "source",
          exported.hasEncodeSource()
              ? "encode_source(" + image + " float in [0,1]) expanded to N rows"
              : image + " float in [0,1] expanded to [N,3," + size + "," + size + "]");
      inputs.put(
          "coeffs",
          windowWidth > 1
              ? "[N," + coeffCount + "," + windowWidth + "]"
              : "[N," + coeffCount + "]");
      if (exported.takesSourceCoeffs()) {
        inputs.put("source_coeffs", "[N," + coeffCount + "]");
      }
    }
    return new ModelInputs(
        VERSION,
        exported.spec(),
        exported.file().toString(),
        exported.bytes(),
        exported.kind().name().toLowerCase(Locale.ROOT),
        size,
        renderer ? coeffCount : 0,
        renderer ? windowWidth : 0,
        exported.takesSourceCoeffs(),
        exported.hasEncodeSource(),
        inputs);
  }

  /** {@code FILE.json}: the sidecar's path for an exported {@code FILE}. */
  static Path sidecar(Path file) {
    return file.resolveSibling(file.getFileName() + ".json");
  }

  void write(Path path) throws IOException {
    new ObjectMapper()
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(path.toFile(), this);
  }

  /** One line: the file, its size, the signature and the inputs at this size. */
  String describe() {
    StringBuilder line =
        new StringBuilder(file)
            .append(": ")
            .append(DataSize.format(bytes))
            .append(", ")
            .append(model)
            .append(" forward(");
    line.append(String.join(", ", inputs.keySet())).append(") at ").append(size).append(" px: ");
    inputs.forEach((name, shape) -> line.append(name).append(' ').append(shape).append("; "));
    return line.append("inputs in ").append(sidecar(Path.of(file))).toString();
  }
}
