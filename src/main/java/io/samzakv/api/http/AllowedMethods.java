package io.samzakv.api.http;

import io.vertx.core.http.HttpMethod;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The methods each route path takes, for the {@code Allow} header that RFC 9110 asks of a 405. Fed
 * by the router's own route registrations, so it cannot list a method the router refuses; matches
 * paths as vert.x-web does: {@code /p/*} takes {@code /p} and everything under {@code /p/}, an
 * exact {@code /p} also takes {@code /p/}.
 */
final class AllowedMethods {
  private final Map<String, Set<HttpMethod>> byRoute = new LinkedHashMap<>();

  void add(HttpMethod method, String route) {
    byRoute.computeIfAbsent(route, any -> new LinkedHashSet<>()).add(method);
  }

  /** The {@code Allow} value for a (normalized) path: every method of every route it matches. */
  String allow(String path) {
    return byRoute.entrySet().stream()
        .filter(route -> matches(route.getKey(), path))
        .flatMap(route -> route.getValue().stream())
        .map(HttpMethod::name)
        .distinct()
        .collect(Collectors.joining(", "));
  }

  private static boolean matches(String route, String path) {
    if (route.endsWith("/*")) {
      String base = route.substring(0, route.length() - 2);
      return path.equals(base) || path.startsWith(base + "/");
    }
    return path.equals(route) || path.equals(route + "/");
  }
}
