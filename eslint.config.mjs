// npm run lint: type-aware ESLint over every TypeScript file (npm test runs it, zero warnings).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import jest from 'eslint-plugin-jest';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['node_modules/', 'cdk.out/', 'test-output/', '**/*.js', '**/*.mjs', '**/*.d.ts'] },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-shadow': 'error',
      'no-empty': ['error', { allowEmptyCatch: false }],
      // A variable assigned after the closures that read it were made (drill/drill.ts) stays let.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Value imports only; test/contract/no-cycles.test.ts counts type-only imports too.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['test/**/*.ts'],
    plugins: { jest },
    rules: {
      'jest/no-focused-tests': 'error',
      'jest/no-disabled-tests': 'error',
      // CDK's Template assertions throw as expect does.
      'jest/expect-expect': ['error', { assertFunctionNames: ['expect', 'expect*', 'template.*'] }],
      'jest/no-identical-title': 'error',
      'jest/valid-expect': 'error',
    },
  },
  {
    // Code that runs in Lambda logs through the Powertools logger (lambdas/shared/logger.ts).
    files: ['lambdas/**/*.ts', 'runbooks/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
);
