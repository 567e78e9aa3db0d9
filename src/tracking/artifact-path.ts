/**
 * Checks every artifact store applies to what it is given: the path (which must stay inside the
 * store's root whatever a client sends) and the body size (`maxBytes`). Each backend calls these, so
 * every backend refuses the same inputs with the same messages.
 */
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { invalidParameter, SlipwayError } from '../core/errors.js';

/**
 * Percent-encoded bytes that would turn into a separator, a dot (hence `..`) or NUL once something
 * downstream decodes the path again. `%c0`/`%c1` start overlong UTF-8 forms of `.` and `/`
 * (`%c0%ae`, `%c0%af`) that lenient decoders accept.
 */
const DANGEROUS_ENCODED = /%(2e|2f|5c|00|c0|c1)/i;
const ENCODED_BYTE = /%([0-9a-f]{2})/gi;
/** Decoding rounds checked: `%252e` is `%2e` after one round, `.` after two. */
const DECODE_ROUNDS = 3;

/**
 * Validates and normalises an artifact path: `/`-separated, relative to the store's root.
 * Empty and `.` segments are dropped and a trailing `/` removed; the root itself is `''`.
 *
 * Refuses (INVALID_PARAMETER_VALUE, naming `field`): `..` segments, absolute paths (leading `/`,
 * Windows drive letters), backslashes, NUL bytes, and percent-encoded `.`, `/`, `\` or NUL — these
 * survive the HTTP layer's single decoding and would become traversal if decoded once more.
 *
 * @example
 * checkArtifactPath('model//./MLmodel/'); // 'model/MLmodel'
 * checkArtifactPath('../etc/passwd');     // throws SlipwayError INVALID_PARAMETER_VALUE
 */
export function checkArtifactPath(path: string, field = 'path'): string {
  const refuse = (expected: string): SlipwayError => invalidParameter(field, expected, printable(path));
  if (typeof path !== 'string') throw invalidParameter(field, 'a string', path);
  if (path.includes('\u0000')) throw refuse('a path without NUL bytes');
  if (path.includes('\\')) throw refuse("a '/'-separated path without backslashes");
  if (path.startsWith('/') || /^[a-z]:/i.test(path)) throw refuse('a relative path');
  if (hasEncodedTraversal(path)) {
    throw refuse("a path without percent-encoded '.', '/', '\\' or NUL");
  }
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') throw refuse("a path without '..' segments");
    segments.push(segment);
  }
  return segments.join('/');
}

/**
 * Joins path parts with `/`, checking each part (so a caller-supplied part can never climb out of
 * the prefix before it) and normalising the result.
 *
 * @example
 * joinArtifactPath('1', 'abc123/artifacts', 'model/'); // '1/abc123/artifacts/model'
 */
export function joinArtifactPath(...parts: string[]): string {
  return parts
    .map((part) => checkArtifactPath(part))
    .filter((part) => part !== '')
    .join('/');
}

/** PAYLOAD_TOO_LARGE for a body over `maxBytes`; the one message every backend uses. */
export function artifactTooLarge(path: string, maxBytes: number): SlipwayError {
  return new SlipwayError(
    'PAYLOAD_TOO_LARGE',
    `Artifact '${path}' is larger than the limit of ${maxBytes} bytes`,
    { path, maxBytes },
  );
}

/**
 * A pass-through stream counting the bytes that flow through it, failing with PAYLOAD_TOO_LARGE as
 * soon as the count passes `maxBytes` (no limit when undefined). Use `meterBody` to feed it.
 */
export class ByteCounter extends Transform {
  /** Bytes seen so far. */
  bytes = 0;
  /** True once the limit was passed (the stream has then failed with `artifactTooLarge`). */
  exceeded = false;

  constructor(
    private readonly path: string,
    private readonly maxBytes?: number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.maxBytes !== undefined && this.bytes > this.maxBytes) {
      this.exceeded = true;
      callback(artifactTooLarge(this.path, this.maxBytes));
      return;
    }
    callback(null, chunk);
  }
}

/**
 * Feeds an artifact body through a `ByteCounter`; stores read the returned counter instead of the
 * body. A Buffer over the limit fails at once, before any I/O.
 *
 * When the counter fails (too large, or the store gave up) a streamed body is only unpiped and left
 * paused, never destroyed: for an HTTP request body that keeps the socket alive so the server can
 * still answer 413. An error or premature close of the body fails the counter.
 */
export function meterBody(path: string, body: Readable | Buffer, maxBytes?: number): ByteCounter {
  if (Buffer.isBuffer(body) && maxBytes !== undefined && body.length > maxBytes) {
    throw artifactTooLarge(path, maxBytes);
  }
  const counter = new ByteCounter(path, maxBytes);
  // The store attaches its consumer later (after creating folders, say); a failure before then is
  // not lost: pipeline() and async iteration report a stream's earlier `errored` state.
  counter.on('error', () => {});
  if (Buffer.isBuffer(body)) {
    counter.end(body);
    return counter;
  }
  if (body.destroyed && !body.readableEnded) {
    counter.destroy(body.errored ?? new Error(`The body of artifact '${path}' was already closed`));
    return counter;
  }
  const onError = (err: Error): void => {
    counter.destroy(err);
  };
  const onClose = (): void => {
    if (body.readableEnded) return;
    counter.destroy(new Error(`The body of artifact '${path}' closed before its end`));
  };
  body.on('error', onError);
  body.on('close', onClose);
  counter.once('close', () => {
    body.off('error', onError);
    body.off('close', onClose);
    body.unpipe(counter);
  });
  body.pipe(counter);
  return counter;
}

function hasEncodedTraversal(path: string): boolean {
  let current = path;
  for (let round = 0; round < DECODE_ROUNDS && current.includes('%'); round++) {
    if (DANGEROUS_ENCODED.test(current)) return true;
    const decoded = current.replace(ENCODED_BYTE, (_match, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
    if (decoded === current) break;
    current = decoded;
  }
  return false;
}

/** Control characters shown as `\xNN` so that error messages never carry raw NULs or newlines. */
function printable(value: string): string {
  let out = '';
  for (const char of value) {
    const code = char.charCodeAt(0);
    out += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : char;
  }
  return out;
}
