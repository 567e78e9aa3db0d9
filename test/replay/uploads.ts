/**
 * Artifact uploads whose bytes the recording did not capture (`"<0 bytes>"`): rebuilt with the
 * size that later listings or downloads of the same file show, and the content type the client
 * sends (`mimetypes.guess_type`, else `application/octet-stream`).
 */
import type { RecordedCall } from './recordings.js';

export interface Upload {
  bytes: Buffer;
  contentType: string;
}

const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';

const MIME_TYPES: Record<string, string> = { txt: 'text/plain', json: 'application/json' };
const SAMPLE_TEXT: Record<string, string> = {
  txt: 'hello',
  json: '{"learning_rate": 0.01, "layers": [16, 8]}\n',
};

const extensionOf = (path: string) => /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase() ?? '';

/** `text` repeated or cut to `size` bytes (the text itself when the size is unknown). */
function sized(text: Buffer, size: number | undefined): Buffer {
  if (size === undefined) return text;
  return Buffer.alloc(size, text);
}

/** Sizes of files by their URL path, from every listing and download in the recording. */
function recordedSizes(calls: RecordedCall[]): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const call of calls) {
    if (call.response.kind === 'download') sizes.set(call.path, call.response.bytes);
    if (call.path !== ARTIFACTS || call.body.kind !== 'query' || call.response.kind !== 'json') continue;
    const dir = call.body.fields.kind === 'object' ? call.body.fields.fields.path : undefined;
    const files = call.response.value.kind === 'object' ? call.response.value.fields.files : undefined;
    if (dir?.kind !== 'string' || files?.kind !== 'list') continue;
    for (const file of files.items) {
      if (file.kind !== 'object') continue;
      const { path, file_size: size } = file.fields;
      if (path?.kind === 'string' && size?.kind === 'integer' && size.value !== undefined)
        sizes.set(`${ARTIFACTS}/${dir.value}/${path.value}`, size.value);
    }
  }
  return sizes;
}

export class Uploads {
  private readonly sizes: Map<string, number>;
  private readonly sent = new Map<string, Upload>();

  constructor(calls: RecordedCall[]) {
    this.sizes = recordedSizes(calls);
  }

  /** The body to upload to the recorded URL path `path`; remembered for later downloads. */
  bodyFor(path: string): Upload {
    const ext = extensionOf(path);
    const sample = SAMPLE_TEXT[ext];
    // Binary files (model.onnx): a byte ramp, so a truncated or shifted download shows.
    const seed = sample ? Buffer.from(sample) : Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const upload = {
      bytes: sized(seed, this.sizes.get(path) ?? (sample ? undefined : 64)),
      contentType: MIME_TYPES[ext] ?? 'application/octet-stream',
    };
    this.sent.set(path, upload);
    return upload;
  }

  /** What was uploaded to the recorded URL path `path`, if anything. */
  uploaded(path: string): Upload | undefined {
    return this.sent.get(path);
  }
}
