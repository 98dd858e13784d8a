import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

type Json = Record<string, unknown>;
interface Doc {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: Json }> }> }>>;
  components: { schemas: Record<string, Json> };
}

/** A response as the contract checks it (supertest's and fetch's both fit). */
export interface ObservedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/**
 * Rewrites the document's schemas for ajv: a documented object admits no undocumented property (so a field the
 * code adds without documenting it fails), refs point into the registered document, and ajv's discriminator
 * reads the subschemas' `kind` enums rather than OpenAPI's mapping, which it does not support.
 */
function forAjv(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(forAjv);
  if (typeof node !== 'object' || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') out.$ref = value.replace(/^#\//, 'openapi.json#/');
    else if (key === 'discriminator') out.discriminator = { propertyName: (value as Json).propertyName };
    else out[key] = forAjv(value);
  }
  if (out.properties && out.additionalProperties === undefined && !out.allOf) out.additionalProperties = false;
  return out;
}

/** Checks real responses against the OpenAPI document the app serves: status, media type and body schema. */
export class OpenApiContract {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, discriminator: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  /** Every operation, status and media type checked, for a coverage assertion. */
  readonly checked = new Set<string>();

  constructor(private readonly doc: Doc) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: 'openapi.json', components: forAjv(doc.components) as Json });
  }

  /** Throws, naming what differs, unless the response is one the document describes for this operation. */
  check(method: string, pathTemplate: string, res: ObservedResponse): void {
    const operation = this.doc.paths[pathTemplate]?.[method.toLowerCase()];
    if (!operation) throw new Error(`${method} ${pathTemplate} is not in the document`);
    const response = operation.responses[String(res.status)];
    if (!response) throw new Error(`${method} ${pathTemplate} answered ${res.status}, which is not documented`);
    const header = res.headers['content-type'];
    const mediaType = String(Array.isArray(header) ? header[0] : (header ?? ''))
      .split(';')[0]
      .trim();
    if (!mediaType && !response.content) return void this.checked.add(`${method} ${pathTemplate} ${res.status}`);
    const media = response.content?.[mediaType];
    if (!media) throw new Error(`${method} ${pathTemplate} ${res.status}: ${mediaType} is not documented`);
    const key = `${method} ${pathTemplate} ${res.status} ${mediaType}`;
    const validate = this.validator(key, media.schema ?? {});
    if (!validate(res.body)) {
      throw new Error(`${key}: body does not match the document: ${this.ajv.errorsText(validate.errors)}`);
    }
    this.checked.add(key);
  }

  private validator(key: string, schema: Json): ValidateFunction {
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(forAjv(schema) as Json);
      this.compiled.set(key, validate);
    }
    return validate;
  }
}
