// npm run lint: type-aware ESLint over every TypeScript file (npm test runs it, zero warnings).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import jest from 'eslint-plugin-jest';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['node_modules/', 'cdk.out/', 'test-output/', '**/*.js', '**/*.mjs', '**/*.d.ts'] },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    // One tsconfig holds every linted file: one program for them all (the project service took 34 s here, this 21 s).
    languageOptions: { parserOptions: { project: ['./tsconfig.json'], tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
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
