/**
 * Redis script: write many entities' feature rows of one view, each only if it is newer than the
 * stored one: a later event timestamp wins; equal event timestamps are decided by the created
 * timestamp (none counts as 0); equal both → the stored row is kept.
 *
 * KEYS[i]          the i-th entity's hash (`slipway:<prefix>:<view>:<entity key>`)
 * ARGV[3i-2]       its event timestamp, epoch ms (decimal text)
 * ARGV[3i-1]       its created timestamp, epoch ms, or '' when the row has none (not stored)
 * ARGV[3i]         its feature values as one JSON object
 *
 * Returns how many rows were written. One call per slice of rows (instead of one per row) saves
 * Redis the per-command dispatch and the client one reply per row: measured on 1M rows, the bulk of
 * a materialization's Redis time. The script is atomic, so racing writers still cannot regress a row.
 */
import { createHash } from 'node:crypto';

const SOURCE = `
local written = 0
for i = 1, #KEYS do
  local key, ts, cts, values = KEYS[i], ARGV[3 * i - 2], ARGV[3 * i - 1], ARGV[3 * i]
  local stored = redis.call('HMGET', key, '_ts', '_cts')
  local newer = true
  if stored[1] then
    local t, storedTs = tonumber(ts), tonumber(stored[1])
    if t < storedTs then newer = false
    elseif t == storedTs and (tonumber(cts) or 0) <= (tonumber(stored[2]) or 0) then newer = false end
  end
  if newer then
    if cts == '' then
      if stored[2] then redis.call('HDEL', key, '_cts') end
      redis.call('HSET', key, '_v', values, '_ts', ts)
    else
      redis.call('HSET', key, '_v', values, '_ts', ts, '_cts', cts)
    end
    written = written + 1
  end
end
return written
`;

/** The script's text and its SHA-1 (what EVALSHA names it by). */
export const NEWER_WINS_WRITE_MANY = {
  source: SOURCE,
  sha1: createHash('sha1').update(SOURCE).digest('hex'),
} as const;
