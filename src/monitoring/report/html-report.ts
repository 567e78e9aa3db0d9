/**
 * The drift report as one self-contained HTML page: inline CSS and inline SVG only (no script, no
 * external resource), so it can be mailed, attached to a ticket or opened offline. A summary header
 * (dataset drift verdict, share of drifted columns, window, reference), then one row per feature
 * with its overlaid histogram, test, score, threshold and verdict. Every string is escaped: column
 * names and categories come from user data.
 */
import { escapeHtml } from './escape.js';
import { categoryHistogramSvg, formatNumber, numericHistogramSvg, SERIES_COLOURS } from './svg-chart.js';
import type { ColumnDriftRow, DriftReport } from './types.js';

const CSS = `
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2733;background:#f4f6f8}
main{max-width:1100px;margin:0 auto;padding:28px 24px 48px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 10px}
.sub{color:#5f6b76;margin:0 0 18px}
.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{background:#fff;border-radius:10px;padding:14px 18px;box-shadow:0 1px 2px rgba(16,24,40,.08);min-width:170px}
.card .k{font-size:12px;color:#5f6b76;text-transform:uppercase;letter-spacing:.04em}.card .v{font-size:22px;font-weight:600;margin-top:2px}
.verdict.bad .v{color:#c0392b}.verdict.good .v{color:#1e8449}
table{width:100%;border-collapse:collapse;background:#fff;border-radius:10px;overflow:hidden;box-shadow:0 1px 2px rgba(16,24,40,.08)}
th,td{padding:10px 12px;text-align:left;vertical-align:middle;border-bottom:1px solid #e8ecf0}
th{font-size:12px;color:#5f6b76;text-transform:uppercase;letter-spacing:.04em;background:#fafbfc}
td.num{font-variant-numeric:tabular-nums;text-align:right;white-space:nowrap}
.col{font-weight:600;word-break:break-all}.ref{color:#5f6b76;font-size:12px}
.badge{display:inline-block;padding:2px 10px;border-radius:999px;font-size:12px;font-weight:600}
.badge.drift{background:#fdecea;color:#c0392b}.badge.ok{background:#e9f7ef;color:#1e8449}.badge.na{background:#eef1f4;color:#5f6b76}
tr.drifted td:first-child{box-shadow:inset 4px 0 0 #c0392b}
.legend{display:flex;gap:16px;color:#5f6b76;font-size:12px;margin:6px 0 10px}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;vertical-align:-1px}
.hist{display:block}.note{color:#5f6b76;font-size:12px;margin-top:10px}
`;

function pct(x: number): string {
  return `${(x * 100).toFixed(0)} %`;
}

function badge(r: ColumnDriftRow): string {
  if (r.status !== 'tested') return '<span class="badge na">no data</span>';
  return r.drifted ? '<span class="badge drift">drift</span>' : '<span class="badge ok">no drift</span>';
}

function chart(r: ColumnDriftRow): string {
  if (r.histogram) return numericHistogramSvg(r.histogram);
  if (r.categories) return categoryHistogramSvg(r.categories);
  return '<span class="ref">no values</span>';
}

/** A binned score's interval (the exact score lies in it), or the method when it is a sample. */
function bounds(r: ColumnDriftRow): string {
  if (r.bounds)
    return `<div class="ref">binned: ${escapeHtml(formatNumber(r.bounds[0]))} – ${escapeHtml(formatNumber(r.bounds[1]))}</div>`;
  return r.method === 'sample' ? '<div class="ref">sample</div>' : '';
}

function columnRow(r: ColumnDriftRow): string {
  const score = r.score === null ? '—' : formatNumber(r.score);
  const rule = r.scoreKind === 'p_value' ? 'p &lt;' : 'distance ≥';
  const refName =
    r.referenceColumn === r.column
      ? ''
      : `<div class="ref">reference: ${escapeHtml(r.referenceColumn)}</div>`;
  const reason = r.reason ? `<div class="ref">${escapeHtml(r.reason)}</div>` : '';
  return `<tr class="${r.drifted ? 'drifted' : ''}">
<td><div class="col">${escapeHtml(r.column)}</div>${refName}<div class="ref">${escapeHtml(r.kind)} · ${r.referenceRows} ref / ${r.currentRows} current rows</div></td>
<td>${chart(r)}</td>
<td>${escapeHtml(r.test)}</td>
<td class="num">${escapeHtml(score)}${bounds(r)}</td>
<td class="num">${rule} ${escapeHtml(formatNumber(r.threshold))}</td>
<td>${badge(r)}${reason}</td>
</tr>`;
}

function columnTable(rows: readonly ColumnDriftRow[]): string {
  return `<table><thead><tr><th>Column</th><th>Reference vs current</th><th>Test</th><th>Score</th><th>Drift when</th><th>Verdict</th></tr></thead>
<tbody>${rows.map(columnRow).join('\n')}</tbody></table>`;
}

/**
 * Renders `report` as one self-contained HTML document.
 *
 * @example writeFileSync('drift.html', renderDriftReportHtml(await buildDriftReport(request)));
 */
export function renderDriftReportHtml(report: DriftReport): string {
  const d = report.datasetDrift;
  const title = `Drift report — ${report.model} v${report.version}`;
  const legend = `<div class="legend"><span><i style="background:${SERIES_COLOURS.reference}"></i>reference</span><span><i style="background:${SERIES_COLOURS.current}"></i>current (served)</span></div>`;
  const sampling =
    report.method === 'sample'
      ? `Sides above ${report.rowCap} rows were tested on a seeded uniform sample of ${report.rowCap} rows.`
      : 'Every row was tested (exact tests).';
  const unmatched = report.unmatchedColumns.length
    ? `<p class="note">Not in the reference, not tested: ${report.unmatchedColumns.map(escapeHtml).join(', ')}</p>`
    : '';
  const prediction = report.predictionDrift
    ? `<h2>Prediction drift</h2>${legend}${columnTable([report.predictionDrift])}`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${CSS}</style></head>
<body><main>
<h1>${escapeHtml(title)}</h1>
<p class="sub">Window ${escapeHtml(report.window.label)} (${escapeHtml(report.window.from)} → ${escapeHtml(report.window.to)}) · reference ${escapeHtml(report.reference.kind)} ${escapeHtml(report.reference.source)}${report.reference.trainingDataset ? ' (training dataset from lineage)' : ''}</p>
<div class="cards">
<div class="card verdict ${d.drifted ? 'bad' : 'good'}"><div class="k">Dataset drift</div><div class="v">${d.drifted ? 'Detected' : 'Not detected'}</div></div>
<div class="card"><div class="k">Drifted columns</div><div class="v">${d.driftedColumns} / ${d.testedColumns} (${pct(d.share)})</div></div>
<div class="card"><div class="k">Drift share threshold</div><div class="v">${pct(d.driftShare)}</div></div>
<div class="card"><div class="k">Rows (reference / current)</div><div class="v">${report.rows.reference.rows} / ${report.rows.current.rows}</div></div>
</div>
<h2>Features</h2>${legend}
${columnTable(report.columns)}
${unmatched}
${prediction}
<p class="note">${escapeHtml(sampling)} Generated ${escapeHtml(report.generatedAt)} by Slipway.</p>
</main></body></html>
`;
}
