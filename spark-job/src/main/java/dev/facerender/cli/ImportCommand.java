package dev.facerender.cli;

import dev.facerender.sadtalker.ImportException;
import dev.facerender.sadtalker.Preprocess;
import dev.facerender.sadtalker.SadTalkerClip;
import dev.facerender.sadtalker.SadTalkerImport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code facerender import}: another tool's outputs as Facerender's input tables. */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = "Turn another tool's outputs into Facerender's frames and sources tables.",
    subcommands = {ImportCommand.SadTalker.class})
final class ImportCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "say what to import: sadtalker");
  }

  /** {@code facerender import sadtalker}: SadTalker's {@code .mat} files and crops. */
  @Command(
      name = "sadtalker",
      mixinStandardHelpOptions = true,
      description = {
        "SadTalker's audio2coeff .mat files, its face crop and first_coeff .mat to OUT/frames and"
            + " OUT/sources (Parquet), with the coefficients SadTalker's own batch builder feeds"
            + " its renderer (expression scale, still mode, full mode's source coefficients).",
        "Render them with a model from tools/sadtalker/export.py and --window-radius 13"
            + " (--coeff-count 73 with --preprocess full)."
      })
  static final class SadTalker implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--coeffs",
        split = ",",
        description =
            "audio2coeff's .mat files, or folders of them (every *.mat but the --first-coeff file);"
                + " each is one clip named after its file")
    List<Path> coeffs = new ArrayList<>();

    @Option(names = "--crop", description = "The face crop PNG SadTalker's preprocess wrote")
    Path crop;

    @Option(
        names = "--first-coeff",
        description = "The source image's .mat SadTalker's preprocess wrote")
    Path firstCoeff;

    @Option(
        names = "--manifest",
        description =
            "CSV of many clips, with a header: coeffs,crop,first_coeff[,clip_id] (paths relative"
                + " to the manifest's folder)")
    Path manifest;

    @Option(names = "--out", required = true, description = "Folder for frames/ and sources/")
    Path out;

    @Option(
        names = "--preprocess",
        defaultValue = "crop",
        description =
            "SadTalker's --preprocess: crop, extcrop, resize, full, extfull (default:"
                + " ${DEFAULT-VALUE})")
    String preprocess;

    @Option(
        names = "--expression-scale",
        defaultValue = "1.0",
        description = "SadTalker's --expression_scale (default: ${DEFAULT-VALUE})")
    double expressionScale;

    @Option(
        names = "--still",
        description = "SadTalker's --still: the source's pose in every frame")
    boolean still;

    @Option(
        names = "--size",
        defaultValue = "256",
        description = "SadTalker's --size, the crops' width and height (default: ${DEFAULT-VALUE})")
    int size;

    @Option(
        names = "--skip-bad",
        description =
            "Import the good clips and list the bad ones in OUT/"
                + SadTalkerImport.REJECTED
                + " (default: a bad clip stops the import, every bad clip listed)")
    boolean skipBad;

    @Override
    public Integer call() {
      Preprocess mode = parse(() -> Preprocess.of(preprocess));
      SadTalkerImport.Options options =
          parse(() -> new SadTalkerImport.Options(mode, expressionScale, still, size));
      SadTalkerImport.Result result = new SadTalkerImport(options).run(clips(), out, skipBad);
      System.out.printf(
          "Imported %d clips, %d frames (%d coefficients each) to %s and %s%n",
          result.clips(),
          result.frames(),
          mode.coeffCount(),
          out.resolve("frames"),
          out.resolve("sources"));
      if (!result.rejected().isEmpty()) {
        System.out.printf(
            "Left out %d clips, listed in %s:%n",
            result.rejected().size(), out.resolve(SadTalkerImport.REJECTED));
        for (ImportException bad : result.rejected()) {
          System.out.println("  " + bad.getMessage());
        }
      }
      System.out.printf(
          "Render: ./facerender render --frames %s --sources %s --model MODEL.pt --window-radius 13"
              + "%s --out RUN%n",
          out.resolve("frames"),
          out.resolve("sources"),
          mode == Preprocess.FULL ? " --coeff-count 73" : "");
      return 0;
    }

    private List<SadTalkerClip> clips() {
      if (manifest != null) {
        if (!coeffs.isEmpty() || crop != null || firstCoeff != null) {
          throw new ParameterException(
              spec.commandLine(),
              "--manifest names every clip's files: leave out --coeffs, --crop and --first-coeff");
        }
        return SadTalkerClip.fromManifest(manifest);
      }
      if (coeffs.isEmpty() || crop == null || firstCoeff == null) {
        throw new ParameterException(
            spec.commandLine(),
            "pass --coeffs, --crop and --first-coeff (clips of one source image), or --manifest");
      }
      return SadTalkerClip.sharingOneSource(coeffs, crop, firstCoeff);
    }

    private <T> T parse(java.util.function.Supplier<T> value) {
      try {
        return value.get();
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage(), e);
      }
    }
  }
}
