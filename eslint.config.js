import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { boundaryConfig } from './eslint.boundaries.js';

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'native/build/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['main/**', 'native/**', 'scripts/**', 'bench/**', 'e2e/**', 'bin/**', '*.config.*', 'preload/**'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // Unix sockets go through main/shared/unix-socket.ts: Node truncates a path
    // past sun_path's 107 bytes silently (a deep data root put attach.sock there).
    files: ['main/**/*.ts'],
    ignores: ['main/**/*.test.ts', 'main/testing/**', 'main/shared/unix-socket.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'net', property: 'createConnection', message: 'use connectUnix (main/shared/unix-socket.ts)' },
        { object: 'net', property: 'connect', message: 'use connectUnix (main/shared/unix-socket.ts)' },
      ],
    },
  },
  {
    // The `berth` command's entry is CommonJS (bin/package.json): it starts faster than an ES module.
    files: ['bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  // Import boundaries (the privilege line, the contract): their own file, one
  // rule per boundary; see eslint.boundaries.js and docs/ARCHITECTURE.md.
  ...boundaryConfig,
);
