/**
 * What `npm run bench -- serving` measures: each scenario is one payload and one connection count,
 * sent to every server that can answer it; the raw ONNX Runtime loop runs the same tensor in-process.
 */
import { LOGREG, MLP, type ModelShape, tfBody, v2BinaryBody, v2JsonBody } from './payloads.js';

export type ServerName = 'echo' | 'naive' | 'slipway';
/** How a response body carries the outputs (for the correctness probe). */
export type WireFormat = 'tf' | 'v2' | 'v2-binary';

export interface Scenario {
  id: string;
  title: string;
  model: ModelShape;
  rows: number;
  connections: number;
  /** Raw ONNX Runtime closed-loop concurrencies measured beside it (mlp only). */
  rawConcurrency: number[];
}

export interface HttpCase {
  scenario: Scenario;
  server: ServerName;
  /** Server and body, as the table shows it. */
  label: string;
  path: string;
  body: string | Buffer;
  headers: Record<string, string>;
  wire: WireFormat;
}

export const SCENARIOS: Scenario[] = [
  {
    id: 'mlp-b1-c64',
    title: 'mlp, batch 1, 64 conns',
    model: MLP,
    rows: 1,
    connections: 64,
    rawConcurrency: [64],
  },
  {
    id: 'mlp-b1-c1',
    title: 'mlp, batch 1, 1 conn',
    model: MLP,
    rows: 1,
    connections: 1,
    rawConcurrency: [1],
  },
  {
    id: 'logreg-b1-c64',
    title: 'logreg, batch 1, 64 conns',
    model: LOGREG,
    rows: 1,
    connections: 64,
    rawConcurrency: [],
  },
  {
    id: 'mlp-b256-json',
    title: 'mlp, 256×64 JSON, 16 conns',
    model: MLP,
    rows: 256,
    connections: 16,
    rawConcurrency: [],
  },
  {
    id: 'mlp-b256-binary',
    title: 'mlp, 256×64 V2 binary, 16 conns',
    model: MLP,
    rows: 256,
    connections: 16,
    rawConcurrency: [1, 16, 64],
  },
];

const JSON_HEADERS = { 'content-type': 'application/json' };

/** Every HTTP measurement, in the order servers are started (each server once, all its cases). */
export function httpCases(): HttpCase[] {
  const cases: HttpCase[] = [];
  for (const s of SCENARIOS) {
    const m = s.model;
    const tf = { body: tfBody(m, s.rows), headers: JSON_HEADERS, wire: 'tf' as const };
    const predict = `/v1/models/${m.name}:predict`;
    if (s.id !== 'mlp-b256-binary') {
      cases.push({
        scenario: s,
        server: 'echo',
        label: 'echo (Fastify), TF JSON',
        path: `/echo/tf/${m.name}/${s.rows}`,
        ...tf,
      });
      cases.push({ scenario: s, server: 'naive', label: 'naive (node:http + ORT)', path: predict, ...tf });
      cases.push({ scenario: s, server: 'slipway', label: 'Slipway, TF JSON', path: predict, ...tf });
    }
    if (s.id === 'mlp-b256-json') {
      const v2 = { body: v2JsonBody(m, s.rows), headers: JSON_HEADERS, wire: 'v2' as const };
      cases.push({
        scenario: s,
        server: 'echo',
        label: 'echo (Fastify), V2 JSON',
        path: `/echo/v2/${m.name}/${s.rows}`,
        ...v2,
      });
      cases.push({
        scenario: s,
        server: 'slipway',
        label: 'Slipway, V2 JSON',
        path: `/v2/models/${m.name}/infer`,
        ...v2,
      });
    }
    if (s.id === 'mlp-b256-binary') {
      const bin = v2BinaryBody(m, s.rows);
      cases.push({
        scenario: s,
        server: 'slipway',
        label: 'Slipway, V2 binary',
        path: `/v2/models/${m.name}/infer`,
        body: bin.body,
        headers: {
          'content-type': 'application/octet-stream',
          'inference-header-content-length': String(bin.headerLength),
        },
        wire: 'v2-binary',
      });
    }
  }
  const order: ServerName[] = ['echo', 'naive', 'slipway'];
  return cases.sort((a, b) => order.indexOf(a.server) - order.indexOf(b.server));
}
