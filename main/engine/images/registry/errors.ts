/**
 * What a registry says when it refuses: the distribution spec's `errors`
 * array, and the details every registry error carries (registry, repository,
 * HTTP status, that array). The errors themselves are BerthErrors with the
 * REGISTRY_* codes of preload/schemas/registry.ts.
 */

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
