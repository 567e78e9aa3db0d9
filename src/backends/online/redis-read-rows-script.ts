/**
 * Redis script: read many entities' stored rows in one call.
 *
 * KEYS   the entities' hashes (`slipway:<prefix>:<view>:<entity key>`), in the caller's order
 * ARGV   none
 *
 * Returns one flat array, three entries per key: `_v`, `_ts`, `_cts` (nil where absent; a key
 * with no `_ts` has nothing stored).
 *
 * Why a script rather than a pipeline of HMGETs (both one round trip): ioredis spends ~9 µs of
 * client CPU on each pipelined command. Measured over 100 keys × 50 features, same run: client CPU
 * 1.9 → 1.2 ms per read and p99 6–11 → 3–7 ms, at the cost of ~0.3 ms more of Redis's time.
 */
import { createHash } from 'node:crypto';

const SOURCE = `
local replies = {}
for i, key in ipairs(KEYS) do
  local stored = redis.call('HMGET', key, '_v', '_ts', '_cts')
  replies[3 * i - 2] = stored[1]
  replies[3 * i - 1] = stored[2]
  replies[3 * i] = stored[3]
end
return replies
`;

/** The script's text and its SHA-1 (what EVALSHA names it by). */
export const READ_ROWS = {
  source: SOURCE,
  sha1: createHash('sha1').update(SOURCE).digest('hex'),
} as const;
