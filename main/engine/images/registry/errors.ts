/**
 * Errors of the registry client. They are EngineErrors (same class, same
 * `{ code, message, details }` JSON shape), with codes of their own kept here
 * so engine/images/errors.ts does not have to change while the client grows.
 * Every registry error carries the same details: which registry and
 * repository, the HTTP status (when there was one) and the registry's own
 * `errors` array (code, message, detail) as the distribution spec defines it.
 */
import { EngineError, type EngineErrorCode } from '../errors';

export const RegistryErrorCodes = [
  'REGISTRY_UNAUTHORIZED', // 401: no or wrong credentials, or the token server refused them
  'REGISTRY_DENIED', // 403 / DENIED: authenticated but not allowed
  'REGISTRY_NOT_FOUND', // 404 / MANIFEST_UNKNOWN / BLOB_UNKNOWN / NAME_UNKNOWN
  'REGISTRY_UNREACHABLE', // network error (refused, reset, DNS, TLS) after the retries
  'REGISTRY_RATE_LIMITED', // 429 / TOOMANYREQUESTS after the retries
  'REGISTRY_PROTOCOL', // unexpected status, bad JSON, a body longer than announced, a bad redirect
  'REGISTRY_UNSUPPORTED', // schema1 manifests, unknown manifest media types
  'REFERENCE_INVALID', // an image reference we cannot parse
  'DIGEST_MISMATCH', // bytes differ from the digest that named them (shared with EngineErrorCodes)
  'PLATFORM_NOT_FOUND', // an index without a manifest for the wanted platform
] as const;

export type RegistryErrorCode = (typeof RegistryErrorCodes)[number];

/** One entry of the registry's `{"errors": [...]}` body. */
export interface RegistryErrorEntry {
  code: string;
  message?: string;
  detail?: unknown;
}

export interface RegistryErrorDetails {
  registry?: string;
  repository?: string;
  status?: number;
  registryErrors?: RegistryErrorEntry[];
  [key: string]: unknown;
}

export class RegistryError extends EngineError {
  constructor(
    code: RegistryErrorCode,
    message: string,
    details: RegistryErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    // EngineErrorCode is a closed list owned by errors.ts; these codes extend it.
    super(code as string as EngineErrorCode, message, details, options);
    this.name = 'RegistryError';
  }

  get registryCode(): RegistryErrorCode {
    return this.code as string as RegistryErrorCode;
  }
}

/** True for a RegistryError (or any EngineError) with `code`, when given. */
export function isRegistryError(err: unknown, code?: RegistryErrorCode): err is EngineError {
  return err instanceof EngineError && (code === undefined || (err.code as string) === code);
}

/** The registry's `errors` array from a JSON body; [] when the body is not that shape. */
export function parseRegistryErrors(body: string): RegistryErrorEntry[] {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null) return [];
    const errors = (parsed as { errors?: unknown }).errors;
    if (Array.isArray(errors)) {
      return errors.flatMap((e: unknown): RegistryErrorEntry[] => {
        if (typeof e !== 'object' || e === null) return [];
        const { code, message, detail } = e as Record<string, unknown>;
        const entry: RegistryErrorEntry = { code: typeof code === 'string' ? code : 'UNKNOWN' };
        if (typeof message === 'string') entry.message = message.slice(0, 1000);
        if (detail !== undefined) entry.detail = detail;
        return [entry];
      });
    }
    // Token servers answer in their own shapes: {"details": "..."} (Docker Hub), {"error": "..."} (OAuth2).
    const { details, error, error_description: description } = parsed as Record<string, unknown>;
    const message = [details, description, error].find((v): v is string => typeof v === 'string');
    return message === undefined ? [] : [{ code: typeof error === 'string' ? error : 'UNKNOWN', message }];
  } catch {
    return [];
  }
}

/** "CODE: message; CODE2: message2" for error messages. */
export function describeRegistryErrors(errors: readonly RegistryErrorEntry[]): string {
  return errors.map((e) => (e.message ? `${e.code}: ${e.message}` : e.code)).join('; ');
}
