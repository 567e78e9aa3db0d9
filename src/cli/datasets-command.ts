/**
 * `slipway datasets list|show`: dataset versions (training sets built by `features historical` or
 * the SDK) with their content hashes, row counts, schemas and what they were built from.
 */
import type { Command } from 'commander';
import { invalidParameter } from '../core/errors.js';
import type { DatasetVersion } from '../datasets/types.js';
import { addConnectionOptions, type ConnectionOptions, withClient } from './client.js';
import { type CliIo, printJson } from './io.js';
import { formatTimestamp, renderFields, renderTable } from './table.js';

interface Options extends ConnectionOptions {
  json?: boolean;
}

/**
 * Parses `NAME` or `NAME/VERSION`.
 *
 * @example parseDatasetRef('fraud_v1/2') // { name: 'fraud_v1', version: 2 }
 */
export function parseDatasetRef(ref: string): { name: string; version?: number } {
  const m = /^(.+)\/(\d+)$/.exec(ref);
  if (m) return { name: m[1], version: Number(m[2]) };
  if (ref.includes('/')) throw invalidParameter('dataset', 'NAME or NAME/VERSION (a number)', ref);
  return { name: ref };
}

/** The `datasets show NAME/VERSION` text: the version's fields, then its schema. */
export function renderDatasetVersion(d: DatasetVersion): string {
  let text = renderFields([
    ['Name', d.name],
    ['Version', d.version],
    ['Digest', d.digest],
    ['Rows', d.rows],
    ['Source', d.source],
    ['Created', formatTimestamp(d.createdAt)],
    ['Project', d.project],
    ['Feature service', d.featureService],
    ['Features', d.features?.join(', ')],
    ['Entity rows', d.entitySource],
  ]);
  text += `\nSchema\n${renderTable(Object.entries(d.schema), [
    { header: 'COLUMN', value: ([name]) => name, maxWidth: 60 },
    { header: 'TYPE', value: ([, type]) => type },
  ])}`;
  return text;
}

const versionColumns = [
  { header: 'VERSION', value: (d: DatasetVersion) => d.version, align: 'right' as const },
  { header: 'ROWS', value: (d: DatasetVersion) => d.rows, align: 'right' as const },
  { header: 'DIGEST', value: (d: DatasetVersion) => d.digest, maxWidth: 80 },
  { header: 'CREATED', value: (d: DatasetVersion) => formatTimestamp(d.createdAt) },
];

/** Registers `datasets list` and `datasets show` under `program`. */
export function registerDatasetsCommand(program: Command, io: CliIo): void {
  const datasets = program
    .command('datasets')
    .description('list and inspect dataset versions (training sets)');

  addConnectionOptions(
    datasets
      .command('list')
      .description('list datasets with their latest version')
      .option('--json', 'print JSON instead of a table'),
  ).action(async (opts: Options) => {
    const list = await withClient(opts, io, (client) => client.datasets.list());
    if (opts.json) return printJson(io, list);
    io.out(
      renderTable(list, [
        { header: 'NAME', value: (d) => d.name, maxWidth: 40 },
        { header: 'LATEST', value: (d) => d.version, align: 'right' },
        { header: 'ROWS', value: (d) => d.rows, align: 'right' },
        { header: 'DIGEST', value: (d) => d.digest, maxWidth: 80 },
        { header: 'CREATED', value: (d) => formatTimestamp(d.createdAt) },
        { header: 'BUILT FROM', value: (d) => d.featureService ?? d.features?.join(', '), maxWidth: 40 },
      ]),
    );
  });

  addConnectionOptions(
    datasets
      .command('show')
      .description('show a dataset and its versions, or one version (NAME/VERSION) with its schema')
      .argument('<ref>', 'NAME or NAME/VERSION')
      .option('--json', 'print JSON instead of text'),
  ).action(async (refText: string, opts: Options) => {
    const ref = parseDatasetRef(refText);
    await withClient(opts, io, async (client) => {
      if (ref.version !== undefined) {
        const version = await client.datasets.get(ref.name, ref.version);
        return opts.json ? printJson(io, version) : io.out(renderDatasetVersion(version));
      }
      const versions = await client.datasets.versions(ref.name);
      if (opts.json) return printJson(io, { name: ref.name, versions });
      io.out(`${renderFields([['Name', ref.name]])}\nVersions\n`);
      io.out(renderTable([...versions].reverse(), versionColumns));
    });
  });
}
