/**
 * Drift reports: a model's served inputs over a window of the inference log against its training
 * data (or any reference), as JSON, a CLI table and a self-contained HTML page.
 */
export { type BinnedColumn, binnedColumnDrift } from './binned-columns.js';
export { buildDriftReport, type DriftReportRequest } from './build-report.js';
export { DEFAULT_BINS } from './column-bins.js';
export { type ColumnRead, type ColumnValues, DEFAULT_ROW_CAP, readColumns } from './column-values.js';
export { escapeHtml } from './escape.js';
export {
  categoryHistogram,
  categoryHistogramOfCounts,
  MAX_CATEGORIES,
  numericHistogram,
} from './histograms.js';
export { renderDriftReportHtml } from './html-report.js';
export {
  type ReportedModel,
  type ReportStores,
  type ResolvedReference,
  resolveReference,
} from './reference.js';
export { categoryHistogramSvg, numericHistogramSvg } from './svg-chart.js';
export type {
  CategoryHistogram,
  ColumnDriftRow,
  DriftMethod,
  DriftReport,
  NumericHistogram,
  SideRows,
} from './types.js';
export { resolveWindow, type WindowSpec } from './window.js';
