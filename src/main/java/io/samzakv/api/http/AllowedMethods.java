package io.samzakv.api.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The methods each route path takes, for the {@code Allow} header that RFC 9110 asks of a 405. Read
 * from the router's own routes, so it cannot list a method the router refuses; matches paths as
 * vert.x-web does: {@code /p/*} takes {@code /p} and everything under {@code /p/}, an exact {@code
 * /p} also takes {@code /p/}.
 */
final class AllowedMethods {
  /** Methods by route path: an exact path, or a prefix ending in {@code /*}. */
  private final Map<String, Set<HttpMethod>> byRoute = new LinkedHashMap<>();

  private AllowedMethods() {}

  /** The methods of {@code routes} that have a plain path and name their methods. */
  static AllowedMethods of(List<Route> routes) {
    AllowedMethods allowed = new AllowedMethods();
    for (Route route : routes) {
      if (route.getPath() != null && !route.isRegexPath()) {
        String path = route.isExactPath() ? route.getPath() : route.getPath() + "*";
        route.methods().forEach(method -> allowed.with(method, path));
      }
    }
    return allowed;
  }

  /** Adds a method the routes did not show (a regex route's), with the route written as above. */
  AllowedMethods with(HttpMethod method, String route) {
    byRoute.computeIfAbsent(route, any -> new LinkedHashSet<>()).add(method);
    return this;
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
