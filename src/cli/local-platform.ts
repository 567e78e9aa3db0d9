/** Commands that work on the stores under --home (or slipway.yaml's) open the platform through this. */
import { openPlatform, type Platform } from '../platform.js';
import { loadConfig } from './config-loader.js';
import type { CliIo } from './io.js';

/** Where a command's stores are: `--home` and `--config`. */
export interface StoreFlags {
  home?: string;
  config?: string;
}

/** Opens the platform the flags, environment and config file name, runs `fn`, then closes it. */
export async function withLocalPlatform<T>(
  opts: StoreFlags,
  io: CliIo,
  fn: (platform: Platform) => Promise<T>,
): Promise<T> {
  const config = loadConfig({
    flags: { home: opts.home },
    env: io.env,
    cwd: io.cwd,
    configPath: opts.config,
  });
  const platform = await openPlatform(config);
  try {
    return await fn(platform);
  } finally {
    await platform.close();
  }
}
