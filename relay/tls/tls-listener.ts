import { createServer } from 'node:net';
import type { ServedCertificate } from './relay-tls.ts';

// The LAN port's listener, whose certificate can change while the relay runs. Bun's
// `server.reload()` does not take new `tls` options, so a new certificate means a new
// listener: bound beside the old one on the same port (SO_REUSEPORT), then the old one stops
// gracefully. Decision 033 records what that does to open connections.

/** Makes one listener on `port` (reusePort set) serving `tls`, or plain HTTP when undefined. */
export type ServeListener<S> = (options: {
  readonly port: number;
  readonly reusePort: true;
  readonly tls: ServedCertificate | undefined;
}) => S;

interface Stoppable {
  readonly port: number | undefined;
  stop(closeActiveConnections?: boolean): Promise<void>;
}

/** How long an old listener keeps its websockets after a swap before they are closed (1001). */
export const DEFAULT_DRAIN_MS = 10_000;

/**
 * Fails with EADDRINUSE when anything listens on `port` already, even another process with
 * SO_REUSEPORT of its own (the kernel refuses to bind a socket without it beside one with it):
 * a second relay started by mistake is refused instead of silently sharing the port.
 */
export function assertPortFree(port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

export class TlsListener<S extends Stoppable> {
  #server: S;
  #tls: ServedCertificate | undefined;
  readonly #serve: ServeListener<S>;
  readonly #drainMs: number;
  /** Old listeners still finishing their connections after a swap. */
  readonly #draining = new Set<S>();

  private constructor(
    serve: ServeListener<S>,
    server: S,
    tls: ServedCertificate | undefined,
    drainMs: number,
  ) {
    this.#serve = serve;
    this.#server = server;
    this.#tls = tls;
    this.#drainMs = drainMs;
  }

  /** The first listener. Port 0 picks a free port; later swaps bind that same one. */
  static start<S extends Stoppable>(
    serve: ServeListener<S>,
    options: { port: number; tls: ServedCertificate | undefined; drainMs?: number },
  ): TlsListener<S> {
    const server = serve({ port: options.port, reusePort: true, tls: options.tls });
    return new TlsListener(serve, server, options.tls, options.drainMs ?? DEFAULT_DRAIN_MS);
  }

  get server(): S {
    return this.#server;
  }

  get port(): number {
    return this.#server.port ?? 0;
  }

  /** The pair being served now (undefined: plain HTTP). */
  get tls(): ServedCertificate | undefined {
    return this.#tls;
  }

  /**
   * Serves `tls` from now on: new connections get the new listener as soon as it is bound; the
   * old one stops accepting, finishes its in-flight requests, and its websockets are closed
   * (1001, the live clients reconnect) after the drain time. Resolves once the new listener is
   * up, with how long the bind took; a failed bind throws and the old listener keeps serving.
   */
  swap(tls: ServedCertificate): { bindMs: number } {
    const started = performance.now();
    const next = this.#serve({ port: this.port, reusePort: true, tls });
    const bindMs = performance.now() - started;
    const old = this.#server;
    this.#server = next;
    this.#tls = tls;
    this.#drain(old);
    return { bindMs };
  }

  #drain(old: S): void {
    this.#draining.add(old);
    const timer = setTimeout(() => void old.stop(true), this.#drainMs);
    void old.stop(false).finally(() => {
      clearTimeout(timer);
      this.#draining.delete(old);
    });
  }

  /** Stops the current listener; listeners still draining are closed outright. */
  async stop(closeActiveConnections = false): Promise<void> {
    await Promise.all([
      this.#server.stop(closeActiveConnections),
      ...[...this.#draining].map((old) => old.stop(true)),
    ]);
  }
}
