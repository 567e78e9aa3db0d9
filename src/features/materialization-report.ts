/**
 * The validation report of a materialization: every batch is checked against the view's declared
 * constraints before it is written, and a batch with any violation is refused whole. The report
 * counts the violations per (feature, rule) and keeps a capped sample of the offending rows.
 */
import type { ConstraintRule, ConstraintViolation } from './online-write.js';
import type { FeatureScalar } from './types.js';

/** One offending row (or, for `max_null_share`, one refused batch). */
export interface ViolationSample {
  /** The row's entity key; absent for `max_null_share`. */
  entityKey?: string;
  /** The offending value; for `max_null_share`, the batch's null share (0..1). */
  value: FeatureScalar;
  message: string;
}

/** All violations of one rule on one feature. */
export interface RuleViolations {
  feature: string;
  rule: ConstraintRule;
  /** Offending rows (for `max_null_share`: offending batches). */
  count: number;
  /** The first `samplesPerRule` of them. */
  samples: ViolationSample[];
}

/** What validation found over a whole run. */
export interface ValidationReport {
  rowsChecked: number;
  /** Rows not written because their batch had a violation. */
  rowsRefused: number;
  batchesChecked: number;
  batchesRefused: number;
  violations: RuleViolations[];
}

/** An empty report. */
export function emptyValidationReport(): ValidationReport {
  return { rowsChecked: 0, rowsRefused: 0, batchesChecked: 0, batchesRefused: 0, violations: [] };
}

/**
 * Adds checked batches to a report, keeping at most `samplesPerRule` sample rows per
 * (feature, rule) so that a source full of bad rows still makes a small report.
 */
export class ValidationReportBuilder {
  private readonly report = emptyValidationReport();
  private readonly byRule = new Map<string, RuleViolations>();

  constructor(private readonly samplesPerRule = 10) {}

  /** Records one checked batch of `rows` rows; `entityKeyAt(i)` names row i's entity. */
  addBatch(rows: number, violations: ConstraintViolation[], entityKeyAt: (row: number) => string): void {
    this.report.rowsChecked += rows;
    this.report.batchesChecked++;
    if (violations.length === 0) return;
    this.report.batchesRefused++;
    this.report.rowsRefused += rows;
    for (const v of violations) {
      const id = `${v.feature}\u0000${v.rule}`;
      let group = this.byRule.get(id);
      if (!group) {
        group = { feature: v.feature, rule: v.rule, count: 0, samples: [] };
        this.byRule.set(id, group);
        this.report.violations.push(group);
      }
      group.count++;
      if (group.samples.length < this.samplesPerRule) {
        group.samples.push({
          ...(v.row === undefined ? {} : { entityKey: entityKeyAt(v.row) }),
          value: v.value,
          message: v.message,
        });
      }
    }
  }

  /** Rows refused so far. */
  get rowsRefused(): number {
    return this.report.rowsRefused;
  }

  /** The report so far (a snapshot). */
  build(): ValidationReport {
    return structuredClone(this.report);
  }
}

/** The report as lines for a terminal: one per (feature, rule), with its samples. */
export function formatValidationReport(view: string, report: ValidationReport): string {
  if (report.rowsRefused === 0) return `${view}: all ${report.rowsChecked} rows passed validation\n`;
  const lines = [
    `${view}: ${report.rowsRefused} of ${report.rowsChecked} rows refused (${report.batchesRefused} of ${report.batchesChecked} batches had violations, nothing of them written)`,
  ];
  for (const v of report.violations) {
    lines.push(
      `  ${v.feature} ${v.rule}: ${v.count} ${v.rule === 'max_null_share' ? 'batch(es)' : 'row(s)'}`,
    );
    for (const s of v.samples) {
      lines.push(`    ${s.entityKey ? `${s.entityKey}: ` : ''}${s.message}`);
    }
    if (v.count > v.samples.length) lines.push(`    … ${v.count - v.samples.length} more`);
  }
  return `${lines.join('\n')}\n`;
}
