/**
 * Which request ids of a label batch the inference log has never seen: such labels are still
 * stored (the log may be sampled, or the prediction's segment not yet flushed) but counted and
 * reported back, never dropped in silence.
 */
import { queryInferenceLog } from '../inference-log/index.js';

/** Unknown ids: how many (distinct), and the first few in sorted order. */
export interface UnknownRequestIds {
  count: number;
  sample: string[];
}

/**
 * The distinct `requestIds` with no row in `model`'s inference log under `dir`.
 *
 * @example
 * const { count, sample } = await unknownRequestIds('./inference-log', 'fraud', ['r1', 'r2']);
 */
export async function unknownRequestIds(
  dir: string,
  model: string,
  requestIds: readonly string[],
  sampleSize = 10,
): Promise<UnknownRequestIds> {
  const ids = [...new Set(requestIds)];
  if (ids.length === 0) return { count: 0, sample: [] };
  const log = await queryInferenceLog({ dir, model });
  try {
    const conn = log.connection;
    await conn.run('CREATE OR REPLACE TEMP TABLE label_request_ids (request_id VARCHAR)');
    const a = await conn.createAppender('label_request_ids', 'main', 'temp');
    try {
      for (const id of ids) {
        a.appendVarchar(id);
        a.endRow();
      }
    } finally {
      a.closeSync();
    }
    const rows = await log.rows(
      `SELECT request_id FROM label_request_ids l ANTI JOIN inference_log p USING (request_id) ORDER BY request_id`,
    );
    return { count: rows.length, sample: rows.slice(0, sampleSize).map((r) => String(r['request_id'])) };
  } finally {
    log.close();
  }
}
