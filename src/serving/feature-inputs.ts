/**
 * Serving a model from entity keys: a model version whose config declares a feature service is
 * called with the service's join keys (and its on-demand request fields); the online features are
 * read in one `getOnlineFeatures` call, with the same on-demand transforms training used, and turned
 * into the model's input tensors. The mapping from features to inputs is decided once, when the
 * version loads, so a model and a service that do not fit make the version UNAVAILABLE with the
 * reason instead of feeding it the wrong columns.
 *
 * Two mappings: one input whose last dimension is the number of features (concatenated in service
 * order), or one input per feature named `feature` or `view__feature` (shape [-1] or [-1,1]).
 */
import { SlipwayError } from '../core/errors.js';
import {
  type FeatureCatalog,
  type FeatureStatus,
  getOnlineFeatures,
  resolveFeatureRefs,
} from '../features/online-features.js';
import type { FeatureScalar, FeatureValueType, OnlineStore } from '../features/types.js';
import { allocate, describeSpec, floatToHalf, tensorValues } from './tensor.js';
import type { ModelFeatures, ModelSignature, Tensor, TensorDataType, TensorSpec } from './types.js';

/**
 * The feature store a serving engine reads from: the same shape as the Feast routes'
 * `FeatureServing` (declared here because a domain module does not import the server).
 */
export interface FeatureLookup {
  /** The current definitions; called per request, so re-applied definitions are picked up. */
  catalog(): FeatureCatalog;
  store: OnlineStore;
}

/** One feature of the service, in service order. */
interface ServiceFeature {
  view: string;
  feature: string;
  type: FeatureValueType;
}

type Mapping =
  | { kind: 'concat'; input: TensorSpec }
  | { kind: 'named'; inputs: Array<{ spec: TensorSpec; feature: number }> };

/** How one catalog's service feeds one model. */
interface FeatureInputPlan {
  features: ServiceFeature[];
  /** What callers send: join keys, then on-demand request fields. */
  request: TensorSpec[];
  joinKeys: Set<string>;
  mapping: Mapping;
}

const TENSOR_TYPE: Record<FeatureValueType, TensorDataType> = {
  int64: 'INT64',
  int32: 'INT32',
  float64: 'FP64',
  float32: 'FP32',
  string: 'BYTES',
  bool: 'BOOL',
  timestamp: 'INT64',
};

const FLOATS = new Set<TensorDataType>(['FP16', 'FP32', 'FP64']);
const refOf = (f: ServiceFeature) => `${f.view}:${f.feature}`;

/** Why a model and its service do not fit; the engine reports it as the version's reason. */
function mismatch(model: string, service: string, why: string): SlipwayError {
  return new SlipwayError(
    'INVALID_PARAMETER_VALUE',
    `Model '${model}' cannot be fed by feature service '${service}': ${why}`,
    { model, service },
  );
}

/** A feature of type `type` can go into an input of `dtype` without silently losing anything. */
function fits(
  type: FeatureValueType,
  dtype: TensorDataType,
  onMissing: ModelFeatures['onMissing'],
): string | undefined {
  if (type === 'string') return dtype === 'BYTES' ? undefined : 'a string feature needs a BYTES input';
  if (dtype === 'BYTES') return `a ${type} feature cannot feed a BYTES input`;
  if (onMissing === 'nan' && !FLOATS.has(dtype))
    return `on_missing: nan needs a floating-point input, not ${dtype}`;
  if ((type === 'float32' || type === 'float64') && !FLOATS.has(dtype))
    return `a ${type} feature would be truncated in a ${dtype} input`;
  return undefined;
}

/** The request signature: the join keys of every view the service reads, then its request fields. */
function requestSpecs(
  catalog: FeatureCatalog,
  refs: Array<{ view: string; feature: string }>,
): { keys: TensorSpec[]; fields: TensorSpec[] } {
  const specs = new Map<string, TensorSpec>();
  const addKeys = (viewName: string) => {
    // The view's entities' join keys, as `joinKeysOf` lists them, with their declared types.
    for (const e of catalog.views.get(viewName)?.entities ?? []) {
      for (const k of catalog.entities.get(e)?.joinKeys ?? []) {
        if (!specs.has(k.name))
          specs.set(k.name, { name: k.name, datatype: TENSOR_TYPE[k.type], shape: [-1] });
      }
    }
  };
  const fields: TensorSpec[] = [];
  for (const r of refs) {
    const odfv = catalog.onDemand.get(r.view);
    if (!odfv) {
      addKeys(r.view);
      continue;
    }
    for (const src of odfv.sources) addKeys(src.slice(0, src.indexOf(':')));
    for (const f of odfv.requestSchema) {
      if (!fields.some((s) => s.name === f.name))
        fields.push({ name: f.name, datatype: TENSOR_TYPE[f.type], shape: [-1] });
    }
  }
  return { keys: [...specs.values()], fields: fields.filter((f) => !specs.has(f.name)) };
}

function concatMapping(features: ServiceFeature[], model: ModelSignature): Mapping | undefined {
  if (model.inputs.length !== 1) return undefined;
  const input = model.inputs[0];
  if (input.shape.length !== 2 || input.shape[1] !== features.length) return undefined;
  return { kind: 'concat', input };
}

function namedMapping(features: ServiceFeature[], model: ModelSignature): Mapping | string {
  const inputs: Array<{ spec: TensorSpec; feature: number }> = [];
  for (const spec of model.inputs) {
    const matches = features
      .map((f, k) => ({ f, k }))
      .filter(({ f }) => f.feature === spec.name || `${f.view}__${f.feature}` === spec.name);
    if (matches.length === 0) return `no feature is named after input '${spec.name}'`;
    if (matches.length > 1) {
      return `input '${spec.name}' matches ${matches.map(({ f }) => refOf(f)).join(' and ')}; name it view__feature`;
    }
    const s = spec.shape;
    if (!(s.length === 1 || (s.length === 2 && s[1] === 1))) {
      return `input '${spec.name}' is ${describeSpec(spec)}, but one feature gives one value per row ([-1] or [-1,1])`;
    }
    inputs.push({ spec, feature: matches[0].k });
  }
  return { kind: 'named', inputs };
}

/**
 * Decides how `features.service` (in `catalog`) feeds a model with `model`'s signature; throws a
 * message naming the service, the features and the inputs when it cannot.
 */
export function planFeatureInputs(
  features: ModelFeatures,
  catalog: FeatureCatalog,
  model: ModelSignature,
  modelName: string,
): FeatureInputPlan {
  const { service, onMissing } = features;
  let refs: Array<{ view: string; feature: string }>;
  try {
    refs = resolveFeatureRefs(catalog, { featureService: service });
  } catch (err) {
    throw mismatch(modelName, service, (err as Error).message);
  }
  const list = refs.map((r) => {
    const schema = (catalog.views.get(r.view) ?? catalog.onDemand.get(r.view))?.schema ?? [];
    const type = schema.find((f) => f.name === r.feature)?.type ?? 'float64';
    return { view: r.view, feature: r.feature, type };
  });
  const names = list.map((f) => `${refOf(f)} (${f.type})`).join(', ');
  const concat = concatMapping(list, model);
  const mapping = concat ?? namedMapping(list, model);
  if (typeof mapping === 'string') {
    const inputs = model.inputs.map((s) => `'${s.name}' ${describeSpec(s)}`).join(', ');
    throw mismatch(
      modelName,
      service,
      `it yields ${list.length} feature${list.length === 1 ? '' : 's'} (${names}) and the model's inputs are ${inputs}: expected one input ` +
        `whose last dimension is ${list.length}, or inputs named after features (${mapping})`,
    );
  }
  const checks =
    mapping.kind === 'concat'
      ? list.map((f) => ({ f, spec: mapping.input }))
      : mapping.inputs.map((i) => ({ f: list[i.feature], spec: i.spec }));
  for (const { f, spec } of checks) {
    const why = fits(f.type, spec.datatype, onMissing);
    if (why)
      throw mismatch(modelName, service, `${refOf(f)} → input '${spec.name}' ${describeSpec(spec)}: ${why}`);
  }
  const { keys, fields } = requestSpecs(catalog, refs);
  return {
    features: list,
    request: [...keys, ...fields],
    joinKeys: new Set(keys.map((k) => k.name)),
    mapping,
  };
}

/** `[n,1]` and scalar request tensors as the one-value-per-row columns the request signature names. */
export function asRequestColumns(inputs: Tensor[]): Tensor[] {
  let out: Tensor[] | undefined;
  for (let k = 0; k < inputs.length; k++) {
    const t = inputs[k];
    const shape =
      t.shape.length === 0 ? [1] : t.shape.length === 2 && t.shape[1] === 1 ? [t.shape[0]] : undefined;
    if (!shape) continue;
    out ??= [...inputs];
    out[k] = { ...t, shape };
  }
  return out ?? inputs;
}

function numeric(v: FeatureScalar, where: () => string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new SlipwayError('INVALID_STATE', `Feature ${where()} holds ${JSON.stringify(v)}, not a number`);
}

/** Writes `value` at `at` of a tensor of `dtype`. */
function put(
  data: Tensor['data'],
  dtype: TensorDataType,
  at: number,
  value: FeatureScalar,
  where: () => string,
): void {
  if (dtype === 'BYTES') {
    (data as string[])[at] = String(value);
    return;
  }
  const x = value === null ? Number.NaN : numeric(value, where);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    if (!Number.isInteger(x))
      throw new SlipwayError('INVALID_STATE', `Feature ${where()} holds ${x}, not an integer`);
    data[at] = BigInt(x);
  } else if (dtype === 'FP16') (data as Uint16Array)[at] = floatToHalf(x);
  else if (dtype === 'BOOL') (data as Uint8Array)[at] = x ? 1 : 0;
  else (data as Float32Array)[at] = x;
}

/**
 * A model version's feature inputs: the request signature callers see, and the step that turns a
 * validated request (join keys + request fields) into the model's tensors.
 *
 * @example
 * const fi = FeatureInputs.open({ service: 'fraud_v1', onMissing: 'error' }, lookup, signature, 'fraud');
 * const tensors = await fi.modelInputs([{ name: 'user_id', datatype: 'INT64', shape: [1], data: new BigInt64Array([1001n]) }], 1);
 */
export class FeatureInputs {
  private constructor(
    readonly features: ModelFeatures,
    private readonly lookup: FeatureLookup,
    private readonly model: ModelSignature,
    private readonly modelName: string,
    private catalog: FeatureCatalog,
    private plan: FeatureInputPlan,
  ) {}

  /**
   * Plans the mapping against the current definitions; throws (the version fails to load) when no
   * feature store is configured or the service does not fit the model.
   */
  static open(
    features: ModelFeatures,
    lookup: FeatureLookup | undefined,
    model: ModelSignature,
    modelName: string,
  ): FeatureInputs {
    if (!lookup) {
      throw new SlipwayError(
        'INVALID_PARAMETER_VALUE',
        `Model '${modelName}' reads feature service '${features.service}', but no feature store is configured: pass --features <definitions file> (and --online-store <uri> unless it is the default SQLite one)`,
      );
    }
    const catalog = lookup.catalog();
    const plan = planFeatureInputs(features, catalog, model, modelName);
    return new FeatureInputs(features, lookup, model, modelName, catalog, plan);
  }

  /** What callers send (join keys + request fields, one value per row) and what the model answers. */
  get requestSignature(): ModelSignature {
    return { inputs: this.plan.request, outputs: this.model.outputs };
  }

  /** Feature names feeding the model, in service order (`view:feature`). */
  get featureRefs(): string[] {
    return this.plan.features.map(refOf);
  }

  /**
   * Reads the features of every row in one online-store call and builds the model's inputs.
   * `request` holds validated tensors of the request signature, `rows` values each.
   */
  async modelInputs(request: Tensor[], rows: number): Promise<Tensor[]> {
    const catalog = this.lookup.catalog();
    if (catalog !== this.catalog) {
      // Definitions were re-applied: re-plan. A service that no longer fits makes this version
      // unable to answer (503, naming why) until the definitions or the model change again.
      try {
        this.plan = planFeatureInputs(this.features, catalog, this.model, this.modelName);
      } catch (err) {
        throw new SlipwayError(
          'TEMPORARILY_UNAVAILABLE',
          `${(err as Error).message} (the feature definitions changed after the model loaded)`,
        );
      }
      this.catalog = catalog;
    }
    const plan = this.plan;
    const entities: Record<string, FeatureScalar[]> = {};
    const requestData: Record<string, FeatureScalar[]> = {};
    for (const t of request) (plan.joinKeys.has(t.name) ? entities : requestData)[t.name] = tensorValues(t);
    const response = await getOnlineFeatures(catalog, this.lookup.store, {
      featureService: this.features.service,
      entities,
      requestData,
      fullFeatureNames: true,
    });
    const at = new Map(response.metadata.feature_names.map((n, k) => [n, k]));
    const columns = plan.features.map((f) => response.results[at.get(`${f.view}__${f.feature}`) as number]);
    if (this.features.onMissing === 'error') this.checkPresent(columns, entities, rows);
    return this.build(columns, rows);
  }

  /** 400 naming each entity row (up to 5) that lacks a feature, with the feature and its status. */
  private checkPresent(
    columns: Array<{ values: FeatureScalar[]; statuses: FeatureStatus[] }>,
    entities: Record<string, FeatureScalar[]>,
    rows: number,
  ): void {
    const problems: string[] = [];
    let bad = 0;
    for (let i = 0; i < rows; i++) {
      const missing: string[] = [];
      columns.forEach((c, k) => {
        if (c.statuses[i] !== 'PRESENT') missing.push(`${refOf(this.plan.features[k])} ${c.statuses[i]}`);
      });
      if (missing.length === 0) continue;
      bad++;
      if (problems.length < 5) {
        const key = Object.entries(entities)
          .map(([name, values]) => `${name}=${JSON.stringify(values[i])}`)
          .join(', ');
        problems.push(`${key}: ${missing.join(', ')}`);
      }
    }
    if (bad === 0) return;
    const more = bad > problems.length ? ` (and ${bad - problems.length} more rows)` : '';
    throw new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      `Missing features of service '${this.features.service}' for ${problems.join('; ')}${more} ` +
        `(model '${this.modelName}' has on_missing: error; on_missing: nan would pass NaN)`,
      {
        field: [...Object.keys(entities)].join(', '),
        expected: 'entities with every feature present',
        got: problems,
      },
    );
  }

  private build(columns: Array<{ values: FeatureScalar[] }>, rows: number): Tensor[] {
    const { mapping, features } = this.plan;
    const where = (k: number, i: number) => () => `${refOf(features[k])} (row ${i})`;
    if (mapping.kind === 'concat') {
      const { name, datatype } = mapping.input;
      const width = columns.length;
      const data = allocate(datatype, rows * width);
      for (let i = 0; i < rows; i++)
        for (let k = 0; k < width; k++) put(data, datatype, i * width + k, columns[k].values[i], where(k, i));
      return [{ name, datatype, shape: [rows, width], data }];
    }
    return mapping.inputs.map(({ spec, feature }) => {
      const data = allocate(spec.datatype, rows);
      for (let i = 0; i < rows; i++)
        put(data, spec.datatype, i, columns[feature].values[i], where(feature, i));
      return {
        name: spec.name,
        datatype: spec.datatype,
        shape: spec.shape.length === 1 ? [rows] : [rows, 1],
        data,
      };
    });
  }
}
