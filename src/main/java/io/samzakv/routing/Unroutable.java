package io.samzakv.routing;

/**
 * A request that did not reach a primary able to serve it, and surely was not served: no table or
 * no primary yet, the primary refused the sender's epoch, or nobody listens at its address. The
 * router refreshes its table and tries again; only when that keeps failing does the client see a
 * 503.
 */
final class Unroutable extends RuntimeException {
  Unroutable(String message) {
    super(message, null, false, false);
  }
}
