// @ts-check
import eslint from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Layering, enforced: no import cycles anywhere, and product code (src/) never imports the
 * benchmark, the tests or their helpers. The simulator is a test double served over HTTP: only
 * the commands that exist to serve it (`simulate`, `replay`, `demo`, all in src/simulator or
 * src/fixtures) may reach it, never the crawl, auth, sinks or CLI core.
 */
export default tseslint.config(
  { ignores: ['dist/**', 'dist-bench/**', 'node_modules/**', 'output/**', 'coverage/**', '.tmp/**', 'test-artifacts/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './src', from: ['./bench', './test'], message: 'Product code must not import the benchmark or the tests.' },
            {
              target: './src/!(simulator)/**/*',
              from: './src/simulator',
              message: 'Product code must not import the simulator: it is a test double reached over HTTP.',
            },
          ],
        },
      ],
    },
  },
  {
    // The report page's script runs in a browser as a classic script, beside Chart.js.
    files: ['src/report/client/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser } },
  },
);
