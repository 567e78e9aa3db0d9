/**
 * Plain-text rendering for the CLI: aligned tables with a header row, key/value blocks, and the one
 * timestamp format every command uses. No colours and no terminal detection, so output pipes cleanly.
 */

/** A value a cell can hold; `null` and `undefined` render as an empty cell. */
export type Cell = string | number | boolean | null | undefined;

/** One column: its header, how to read its value from a row, and how wide it may grow. */
export interface Column<T> {
  header: string;
  value: (row: T) => Cell;
  /** Longer cells are cut to this many characters, ending in '…'. Default 60. */
  maxWidth?: number;
  /** Numbers read best right-aligned. Default 'left'. */
  align?: 'left' | 'right';
}

const DEFAULT_MAX_WIDTH = 60;
const GAP = '  ';

/** Cuts `text` to `max` characters, marking the cut with '…'. */
export function truncate(text: string, max: number): string {
  if (max < 1) return '';
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function cellText(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  // One row per line: newlines and tabs inside a value would break the alignment.
  return String(cell).replace(/[\r\n\t]+/g, ' ');
}

const width = (text: string): number => Array.from(text).length;

function pad(text: string, size: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, size - width(text)));
  return align === 'right' ? fill + text : text + fill;
}

/**
 * Renders rows as an aligned table with a header row; every line ends in a newline.
 *
 * @example
 * renderTable(experiments, [
 *   { header: 'ID', value: (e) => e.experimentId },
 *   { header: 'NAME', value: (e) => e.name, maxWidth: 40 },
 *   { header: 'CREATED', value: (e) => formatTimestamp(e.creationTime) },
 * ]);
 * // ID  NAME   CREATED
 * // 1   fraud  2024-05-01 12:00:00
 */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) =>
    columns.map((c) => truncate(cellText(c.value(row)), c.maxWidth ?? DEFAULT_MAX_WIDTH)),
  );
  const widths = columns.map((c, i) => Math.max(width(c.header), ...cells.map((r) => width(r[i]))));
  const line = (values: string[]) =>
    `${values
      .map((v, i) => pad(v, widths[i], columns[i].align ?? 'left'))
      .join(GAP)
      .trimEnd()}\n`;
  return line(columns.map((c) => c.header)) + cells.map(line).join('');
}

/**
 * Renders `label: value` lines with the values aligned, skipping nothing (empty values stay visible
 * as an empty field, so the reader sees the field exists).
 *
 * @example
 * renderFields([['Name', 'fraud'], ['Lifecycle', 'active']]);
 * // Name:       fraud
 * // Lifecycle:  active
 */
export function renderFields(fields: readonly (readonly [string, Cell])[]): string {
  const labelWidth = Math.max(0, ...fields.map(([label]) => width(label) + 1));
  return fields
    .map(([label, value]) => `${pad(`${label}:`, labelWidth, 'left')}  ${cellText(value)}`.trimEnd() + '\n')
    .join('');
}

/**
 * Formats epoch milliseconds as `YYYY-MM-DD HH:MM:SS` (UTC); empty for a missing time.
 *
 * @example formatTimestamp(0) // '1970-01-01 00:00:00'
 */
export function formatTimestamp(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** Formats a duration in milliseconds the way people read it: `850ms`, `12.3s`, `4m 05s`, `2h 03m`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.floor(ms / 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)}m ${two(totalSeconds % 60)}s`;
  return `${Math.floor(totalSeconds / 3600)}h ${two(Math.floor(totalSeconds / 60) % 60)}m`;
}
