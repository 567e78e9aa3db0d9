/**
 * A control plane for tests: a platform over a fresh temp home (or a given one), the Fastify app
 * over it with logging off, optionally listening on a free port of 127.0.0.1, and one `close()`
 * that takes it all down again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type ConfigInput, resolveConfig } from '../../src/core/config.js';
import { openPlatform, type Platform } from '../../src/platform.js';
import { createServer, type ServerOptions } from '../../src/server/app.js';

export interface ControlPlaneOptions {
  /** Config over the defaults. With `home` set, that folder is used and left in place by `close()`. */
  config?: ConfigInput;
  /** Server options; `logger` defaults to false. */
  server?: ServerOptions;
  /** Listen on 127.0.0.1, port 0 (default: no, for `app.inject` only). */
  listen?: boolean;
  /** Called once the app is built, before it listens: the place to add hooks. */
  beforeListen?: (app: FastifyInstance) => void | Promise<void>;
}

export interface ControlPlane {
  home: string;
  platform: Platform;
  app: FastifyInstance;
  /** `http://127.0.0.1:<port>` when listening. */
  url: string | undefined;
  /** Closes the app, then the platform, then removes the home if this helper made it. Idempotent. */
  close(): Promise<void>;
}

export type ListeningControlPlane = ControlPlane & { url: string };

/**
 * Starts a control plane; if any step fails, what was started is closed again before the error
 * propagates.
 *
 * @example
 * const { app, platform, close } = await startControlPlane({ config: { maxUploadBytes: 1024 } });
 * const { url } = await startControlPlane({ listen: true }); // 'http://127.0.0.1:41234'
 */
export function startControlPlane(
  opts: ControlPlaneOptions & { listen: true },
): Promise<ListeningControlPlane>;
export function startControlPlane(opts?: ControlPlaneOptions): Promise<ControlPlane>;
export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const ownsHome = opts.config?.home === undefined;
  const home = opts.config?.home ?? (await mkdtemp(join(tmpdir(), 'slipway-test-')));
  let platform: Platform | undefined;
  let app: FastifyInstance | undefined;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await app?.close();
      await platform?.close();
      if (ownsHome) await rm(home, { recursive: true, force: true });
    })();
    return closing;
  };
  try {
    platform = await openPlatform(resolveConfig({ ...opts.config, home }));
    // The event-loop-delay guard samples a loop that vitest also uses (module transforms, other
    // suites' work): on a busy 2-core machine it refused test requests at random. Tests that check
    // overload behaviour pass their own limits.
    app = await createServer(platform, {
      logger: false,
      ...opts.server,
      overload: { maxEventLoopDelay: 0, ...opts.server?.overload },
    });
    await opts.beforeListen?.(app);
    const url = opts.listen ? await app.listen({ host: '127.0.0.1', port: 0 }) : undefined;
    return { home, platform, app, url, close };
  } catch (err) {
    await close();
    throw err;
  }
}
