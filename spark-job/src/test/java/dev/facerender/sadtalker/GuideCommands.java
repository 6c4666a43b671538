package dev.facerender.sadtalker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shell commands of one section of docs/sadtalker.md, as a user copies them: the tests run
 * exactly these, so the guide cannot drift from what works. Understands what the guide uses: {@code
 * export NAME=value} lines, backslash continuations, {@code "$NAME"} expansion, comments. {@code
 * ./facerender} commands run in the test's JVM (the launcher would build), the others as processes
 * from the project's root.
 */
final class GuideCommands {
  private static final Pattern EXPORT = Pattern.compile("export (\\w+)=(\\S+)");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{?(\\w+)}?");

  private final List<List<String>> commands;
  private final Map<String, String> variables;

  private GuideCommands(List<List<String>> commands, Map<String, String> variables) {
    this.commands = commands;
    this.variables = variables;
  }

  /**
   * The first {@code bash} block after the heading {@code heading} of {@code guide}, with the
   * block's own {@code export}s overridden by {@code overrides}.
   */
  static GuideCommands of(Path guide, String heading, Map<String, String> overrides) {
    String text = SadTalkerTools.read(guide);
    int at = text.indexOf("\n" + heading + "\n");
    assertThat(at).as("heading %s in %s", heading, guide).isNotNegative();
    int start = text.indexOf("```bash\n", at);
    int end = text.indexOf("\n```", start + 1);
    assertThat(start).as("a bash block after %s", heading).isPositive();
    String block = text.substring(start + "```bash\n".length(), end).replace("\\\n", " ");
    Map<String, String> variables = new LinkedHashMap<>();
    List<List<String>> commands = new ArrayList<>();
    for (String raw : block.split("\n")) {
      String line = stripComment(raw).strip();
      if (line.isEmpty()) {
        continue;
      }
      Matcher export = EXPORT.matcher(line);
      if (export.matches()) {
        variables.put(export.group(1), overrides.getOrDefault(export.group(1), export.group(2)));
        continue;
      }
      commands.add(words(expand(line, variables)));
    }
    return new GuideCommands(commands, variables);
  }

  Map<String, String> variables() {
    return variables;
  }

  List<List<String>> commands() {
    return commands;
  }

  /** Runs every command in order; each must succeed. */
  void run(String python, long secondsEach) {
    for (List<String> command : commands) {
      if (command.get(0).equals("./facerender")) {
        SadTalkerTools.facerender(command.subList(1, command.size()).toArray(String[]::new));
      } else {
        List<String> args = new ArrayList<>(command);
        if (args.get(0).equals("/usr/bin/python3")) {
          args.set(0, python);
        }
        SadTalkerTools.Result result =
            SadTalkerTools.run(SadTalkerTools.ROOT, secondsEach, args.toArray(String[]::new));
        assertThat(result.exitCode())
            .as("%s exit code; its output:%n%s", command, SadTalkerTools.tail(result.output()))
            .isZero();
      }
    }
  }

  private static String stripComment(String line) {
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == '#' && !quoted && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
        return line.substring(0, i);
      }
    }
    return line;
  }

  private static String expand(String line, Map<String, String> variables) {
    Matcher m = VARIABLE.matcher(line);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = variables.get(m.group(1));
      assertThat(value).as("variable %s in %s", m.group(1), line).isNotNull();
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Shell words: whitespace separates them, double quotes group them. */
  private static List<String> words(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    for (char c : line.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
        any = true;
      } else if (Character.isWhitespace(c) && !quoted) {
        if (any) {
          words.add(word.toString());
          word.setLength(0);
          any = false;
        }
      } else {
        word.append(c);
        any = true;
      }
    }
    if (any) {
      words.add(word.toString());
    }
    return words;
  }
}
