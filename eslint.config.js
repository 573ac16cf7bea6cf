import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

// ── Image layers: engine/oci is the base, engine/layers never imports images ──
// engine/oci (tar, digests, compression, whiteouts, OCI types, image sources)
// is what engine/images and engine/layers share, and it runs without root:
// it imports nothing of main/ but oci itself and main/shared (npm packages,
// node builtins and the repo root's preload/ and native/ stay open). So the
// two cannot form a cycle through it, and main/api may use the analysis layer
// (layers → oci) without pulling in the root engine. engine/layers imports oci,
// never engine/images. Patterns see the specifier as written, so each folder
// depth gets its own block, whose first `depth + 1` "../" climb to
// main/engine/. One temporary exception for both: engine/images/errors.ts,
// which holds the engine's error class until the error unification (issue 12,
// item 3) moves it; it imports nothing, so it closes no cycle.
// The rule id is typescript-eslint's copy of no-restricted-imports (same
// options) so that these blocks do not replace the options of a
// `no-restricted-imports` block that matches the same files: flat config
// replaces a rule's options, it does not merge them.
// main/engine/oci/lint-boundaries.test.ts proves the blocks fire and reach
// every file of both folders (depths 0–4 here).
const climb = (n) => `^(\\.\\./){${n}}`;
const dirsAt = (depth) => '*/'.repeat(depth);
const IMAGE_LAYER_DEPTHS = [0, 1, 2, 3, 4];
const imageLayerBoundaries = IMAGE_LAYER_DEPTHS.flatMap((depth) => [
  {
    files: [`main/engine/oci/${dirsAt(depth)}*.{ts,tsx}`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `${climb(depth + 1)}(?!oci(/|$)|images/errors$)[^./]`,
              caseSensitive: true,
              message: 'engine/oci imports no other engine folder (docs/ARCHITECTURE.md, "Image layers").',
            },
            {
              regex: `${climb(depth + 2)}(?!shared(/|$)|engine/oci(/|$)|engine/images/errors$)[^./]`,
              caseSensitive: true,
              message: 'engine/oci imports nothing of main/ but main/shared: no engine, no transports.',
            },
          ],
        },
      ],
    },
  },
  {
    files: [`main/engine/layers/${dirsAt(depth)}*.{ts,tsx}`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `${climb(depth + 1)}images(?!/errors$)(/|$)|${climb(depth + 2)}engine/images(?!/errors$)(/|$)`,
              caseSensitive: true,
              message: 'engine/layers never imports engine/images: what both need lives in engine/oci.',
            },
          ],
        },
      ],
    },
  },
]);

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
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  // Image layers (see the comment above imageLayerBoundaries).
  ...imageLayerBoundaries,
);
