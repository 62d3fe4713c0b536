package io.samzakv.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Prometheus text exposition (format 0.0.4) read back into its families, as a scraper reads it:
 * each {@code # HELP} and {@code # TYPE} line opens or describes a family, each sample belongs to
 * the family declared last. Enough of the format for what {@code /metrics} writes; a line it does
 * not understand fails the parse rather than being skipped.
 */
public record PrometheusText(Map<String, Family> families) {
  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)(?: \\d+)?");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_]\\w*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

  /** One family: its HELP text and TYPE (null when the exposition gave none) and samples. */
  public record Family(String name, String help, String type, List<Sample> samples) {}

  /** One sample line. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  public static PrometheusText parse(String text) {
    Map<String, Family> families = new LinkedHashMap<>();
    Family current = null;
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
        String[] parts = line.substring(7).split(" ", 2);
        String name = parts[0];
        String rest = parts.length > 1 ? parts[1] : "";
        Family family =
            families.getOrDefault(name, new Family(name, null, null, new ArrayList<>()));
        family =
            line.startsWith("# HELP ")
                ? new Family(name, rest, family.type(), family.samples())
                : new Family(name, family.help(), rest, family.samples());
        families.put(name, family);
        current = family;
      } else if (line.startsWith("#")) {
        continue;
      } else {
        Matcher sample = SAMPLE.matcher(line);
        if (!sample.matches() || current == null) {
          throw new IllegalArgumentException("not a sample of a declared family: " + line);
        }
        current
            .samples()
            .add(new Sample(sample.group(1), labels(sample.group(2)), value(sample.group(3))));
      }
    }
    return new PrometheusText(families);
  }

  private static Map<String, String> labels(String text) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (text == null) {
      return labels;
    }
    Matcher label = LABEL.matcher(text);
    int end = 0;
    while (label.find() && label.start() == end) {
      labels.put(label.group(1), label.group(2));
      end = label.end();
    }
    if (end != text.length()) {
      throw new IllegalArgumentException("malformed labels: {" + text + "}");
    }
    return labels;
  }

  private static double value(String text) {
    return switch (text) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(text);
    };
  }

  /** The family called {@code name}; fails when there is none. */
  public Family family(String name) {
    Family family = families.get(name);
    if (family == null) {
      throw new AssertionError("no metric family " + name + " in " + families.keySet());
    }
    return family;
  }
}
