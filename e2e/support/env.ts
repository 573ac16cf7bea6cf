/**
 * What global-setup.ts hands to the tests (through the environment, which
 * Playwright passes on to its workers): the token URL of a web-mode server
 * with its own run dir (and so its own helper) and data root.
 */
export interface E2eEnv {
  /** http://127.0.0.1:PORT/?token=… as printed by `berth web`. */
  url: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  token: string;
  runDir: string;
  dataRoot: string;
}

export const ENV_KEYS = {
  url: 'BERTH_E2E_URL',
  runDir: 'BERTH_E2E_RUN_DIR',
  dataRoot: 'BERTH_E2E_DATA_ROOT',
  /** The busybox test image as a docker save tar (already loaded as busybox:latest). */
  imageTar: 'BERTH_E2E_IMAGE_TAR',
} as const;

export function e2eEnv(): E2eEnv {
  const url = process.env[ENV_KEYS.url];
  const runDir = process.env[ENV_KEYS.runDir];
  const dataRoot = process.env[ENV_KEYS.dataRoot];
  if (!url || !runDir || !dataRoot) {
    throw new Error(
      `${ENV_KEYS.url} is not set: run the suite through playwright.config.ts (its global setup starts web mode)`,
    );
  }
  const parsed = new URL(url);
  const token = parsed.searchParams.get('token');
  if (!token) throw new Error(`no token in ${url}`);
  return { url, origin: parsed.origin, token, runDir, dataRoot };
}
