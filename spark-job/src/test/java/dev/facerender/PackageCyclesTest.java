package dev.facerender;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packages of both modules, read from their sources: an arrow from package A to B for each
 * class of B that a class of A names by import or fully qualified name (comments and strings left
 * out). Dependencies point one way: no cycle, the run's values and the output folder below what
 * schedules and reports a run, and the executor's parts below the partition function that wires
 * them.
 */
class PackageCyclesTest {
  private static final List<Path> SOURCES =
      List.of(Path.of("src/main/java"), Path.of("../udf/src/main/java"));
  private static final String ROOT = "dev.facerender.";
  private static final Pattern REFERENCE =
      Pattern.compile("\\bdev\\.facerender((?:\\.[a-z_][a-z0-9_]*)+)\\.([A-Z]\\w*)");
  private static final Pattern COMMENTS_AND_STRINGS =
      Pattern.compile("/\\*.*?\\*/|//[^\\n]*|\"(?:\\\\.|[^\"\\\\])*\"", Pattern.DOTALL);

  /** Package to the packages it uses, each with the first class pair that shows it. */
  private static Map<String, Map<String, String>> arrows;

  /** Package to its classes (top-level, one per file). */
  private static Map<String, Integer> sizes;

  /** A package that holds more has several concerns; split it by concern. */
  private static final int MOST_CLASSES = 15;

  @BeforeAll
  static void readSources() {
    Map<String, String> classes = new HashMap<>();
    Map<Path, String> files = new HashMap<>();
    for (Path root : SOURCES) {
      assertThat(root).as("source root (run from the module folder)").isDirectory();
      try (Stream<Path> walk = Files.walk(root)) {
        walk.filter(p -> p.toString().endsWith(".java"))
            .forEach(
                p -> {
                  String pkg = root.relativize(p.getParent()).toString().replace('/', '.');
                  String name = p.getFileName().toString().replace(".java", "");
                  classes.put(pkg + "." + name, pkg);
                  files.put(p, pkg);
                });
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    sizes = new TreeMap<>();
    files.values().forEach(pkg -> sizes.merge(shortName(pkg), 1, Integer::sum));
    arrows = new TreeMap<>();
    files.forEach(
        (file, pkg) -> {
          String source = COMMENTS_AND_STRINGS.matcher(read(file)).replaceAll(" ");
          Matcher m = REFERENCE.matcher(source);
          while (m.find()) {
            String target = "dev.facerender" + m.group(1);
            if (!target.equals(pkg) && classes.containsKey(target + "." + m.group(2))) {
              arrows
                  .computeIfAbsent(shortName(pkg), k -> new TreeMap<>())
                  .putIfAbsent(shortName(target), file.getFileName() + " uses " + m.group(2));
            }
          }
        });
    assertThat(arrows).as("packages read").hasSizeGreaterThan(10);
  }

  @Test
  void noPackageDependsOnItselfThroughOthers() {
    List<String> cycles = new ArrayList<>();
    for (Set<String> component : stronglyConnected()) {
      if (component.size() > 1) {
        StringBuilder why = new StringBuilder(component.toString());
        for (String from : component) {
          arrows.getOrDefault(from, Map.of()).entrySet().stream()
              .filter(e -> component.contains(e.getKey()))
              .forEach(e -> why.append("\n  ").append(from).append(" -> ").append(e));
        }
        cycles.add(why.toString());
      }
    }
    assertThat(cycles).as("package cycles").isEmpty();
  }

  @Test
  void theOutputFolderKnowsNothingOfWhoRunsOrReportsARun() {
    assertThat(arrows).containsKeys("output", "output.query");
    arrows.forEach(
        (from, to) -> {
          if (from.equals("output") || from.startsWith("output.")) {
            assertThat(to)
                .as(from + "'s arrows")
                .doesNotContainKeys(
                    "run", "schedule", "schedule.local", "schedule.spark", "report");
          }
        });
  }

  @Test
  void noPackageHoldsMoreThanFifteenClasses() {
    assertThat(sizes).containsKeys("cli", "model", "partition.render");
    assertThat(sizes)
        .as("classes per package")
        .allSatisfy((pkg, count) -> assertThat(count).as(pkg).isLessThanOrEqualTo(MOST_CLASSES));
  }

  @Test
  void theRunsValuesUseNothingAboveThem() {
    assertThat(arrows.getOrDefault("job", Map.of()).keySet())
        .as("job's arrows")
        .isSubsetOf("io", "metrics", "config");
  }

  @Test
  void theExecutorsPartsKnowNeitherThePartitionFunctionNorTheDriversDiagnostics() {
    arrows.forEach(
        (from, to) -> {
          if (from.startsWith("partition.")) {
            assertThat(to).as(from + "'s arrows").doesNotContainKeys("partition", "diagnostics");
          }
        });
    assertThat(arrows.getOrDefault("partition", Map.of())).doesNotContainKey("diagnostics");
  }

  @Test
  void schedulersKnowNeitherEachOtherNorTheirCaller() {
    assertThat(arrows.getOrDefault("schedule", Map.of()))
        .doesNotContainKeys("run", "schedule.local", "schedule.spark");
    assertThat(arrows.getOrDefault("schedule.local", Map.of()))
        .doesNotContainKeys("run", "schedule.spark");
    assertThat(arrows.getOrDefault("schedule.spark", Map.of()))
        .doesNotContainKeys("run", "schedule.local");
  }

  /** Tarjan's strongly connected components of the package graph. */
  private static List<Set<String>> stronglyConnected() {
    Set<String> nodes = new TreeSet<>(arrows.keySet());
    arrows.values().forEach(m -> nodes.addAll(m.keySet()));
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<Set<String>> components = new ArrayList<>();
    for (String node : nodes) {
      if (!index.containsKey(node)) {
        connect(node, index, low, stack, onStack, components);
      }
    }
    return components;
  }

  private static void connect(
      String node,
      Map<String, Integer> index,
      Map<String, Integer> low,
      Deque<String> stack,
      Set<String> onStack,
      List<Set<String>> components) {
    index.put(node, index.size());
    low.put(node, index.get(node));
    stack.push(node);
    onStack.add(node);
    for (String next : arrows.getOrDefault(node, Map.of()).keySet()) {
      if (!index.containsKey(next)) {
        connect(next, index, low, stack, onStack, components);
        low.put(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.contains(next)) {
        low.put(node, Math.min(low.get(node), index.get(next)));
      }
    }
    if (low.get(node).equals(index.get(node))) {
      Set<String> component = new TreeSet<>();
      String member;
      do {
        member = stack.pop();
        onStack.remove(member);
        component.add(member);
      } while (!member.equals(node));
      components.add(component);
    }
  }

  private static String shortName(String pkg) {
    return pkg.startsWith(ROOT) ? pkg.substring(ROOT.length()) : pkg;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
