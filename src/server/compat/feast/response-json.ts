/**
 * Encodes a `/get-online-features` response straight into bytes. The body is column-major and big
 * (100 entities × 50 features ≈ 230 KB), and the plain route — `JSON.stringify` of the whole object,
 * then Fastify measuring and encoding that string — cost ~2.5 ms a request, most of it flattening
 * and UTF-8 encoding the giant string V8's stringifier builds in pieces. Writing each column's small
 * JSON into one buffer gives the same bytes in ~0.5 ms. Every feature column of a view shares the
 * view's timestamp array, and most status columns read PRESENT throughout: both are written from
 * text made once per response.
 */
import type { FeatureStatus, OnlineFeaturesResponse } from '../../../features/online-features.js';

/** Text pieces written into one exactly sized buffer: one allocation, no regrowth, no copy. */
class Utf8Writer {
  private readonly parts: string[] = [];
  private bytesNeeded = 0;

  write(text: string): void {
    this.parts.push(text);
    this.bytesNeeded += Buffer.byteLength(text, 'utf8');
  }

  bytes(): Buffer {
    const out = Buffer.allocUnsafe(this.bytesNeeded);
    let at = 0;
    for (const part of this.parts) at += out.write(part, at, 'utf8');
    return out;
  }
}

/** JSON text of a status column; a uniform column (the usual case) is built once per (status, length). */
function statusesJson(statuses: FeatureStatus[], uniform: Map<string, string>): string {
  const first = statuses[0];
  for (let i = 1; i < statuses.length; i++) if (statuses[i] !== first) return JSON.stringify(statuses);
  const key = `${first}:${statuses.length}`;
  let text = uniform.get(key);
  if (text === undefined) {
    const one = JSON.stringify(first);
    text = statuses.length === 0 ? '[]' : `[${one}${`,${one}`.repeat(statuses.length - 1)}]`;
    uniform.set(key, text);
  }
  return text;
}

/** The UTF-8 bytes of `JSON.stringify(response)`. */
export function onlineFeaturesJson(response: OnlineFeaturesResponse): Buffer {
  const out = new Utf8Writer();
  const timestamps = new Map<readonly string[], string>();
  const uniform = new Map<string, string>();
  out.write('{"metadata":{"feature_names":');
  out.write(JSON.stringify(response.metadata.feature_names));
  out.write('},"results":[');
  for (let i = 0; i < response.results.length; i++) {
    const r = response.results[i];
    let ts = timestamps.get(r.event_timestamps);
    if (ts === undefined) {
      ts = JSON.stringify(r.event_timestamps);
      timestamps.set(r.event_timestamps, ts);
    }
    out.write(i === 0 ? '{"values":' : ',{"values":');
    out.write(JSON.stringify(r.values));
    out.write(',"statuses":');
    out.write(statusesJson(r.statuses, uniform));
    out.write(',"event_timestamps":');
    out.write(ts);
    out.write('}');
  }
  out.write(']}');
  return out.bytes();
}
