/**
 * Redis script: write one entity's feature row only if it is newer than the stored one.
 *
 * KEYS[1]  the entity's hash (`slipway:<prefix>:<view>:<entity key>`)
 * ARGV[1]  event timestamp, epoch ms (decimal text)
 * ARGV[2]  created timestamp, epoch ms, or '' when the row has none (compared as 0, not stored)
 * ARGV[3]  the row's feature values as one JSON object
 *
 * Returns 1 when the row was written, 0 when the stored row is as new or newer: a later event
 * timestamp wins; equal event timestamps are decided by the created timestamp; equal both → kept.
 *
 * The compare and the write run as one script because Redis runs a script atomically: racing
 * writers (pushes, a re-run materialization) can never regress a row between a read and a write.
 */
import { createHash } from 'node:crypto';

const SOURCE = `
local stored = redis.call('HMGET', KEYS[1], '_ts', '_cts')
if stored[1] then
  local ts, storedTs = tonumber(ARGV[1]), tonumber(stored[1])
  if ts < storedTs then return 0 end
  if ts == storedTs and (tonumber(ARGV[2]) or 0) <= (tonumber(stored[2]) or 0) then return 0 end
end
if ARGV[2] == '' then
  if stored[2] then redis.call('HDEL', KEYS[1], '_cts') end
  redis.call('HSET', KEYS[1], '_v', ARGV[3], '_ts', ARGV[1])
else
  redis.call('HSET', KEYS[1], '_v', ARGV[3], '_ts', ARGV[1], '_cts', ARGV[2])
end
return 1
`;

/** The script's text and its SHA-1 (what EVALSHA names it by). */
export const NEWER_WINS_WRITE = {
  source: SOURCE,
  sha1: createHash('sha1').update(SOURCE).digest('hex'),
} as const;
