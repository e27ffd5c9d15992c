import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import pages from './eslint-rules/pages.cjs';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', 'coverage/**', 'fixtures/**', 'scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        module: 'writable',
        require: 'readonly',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Dependency direction: the model imports nothing; codecs import only the model.
    files: ['src/model/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['../*', 'knex', 'express', 'bullmq', 'ioredis', 'pg'] },
      ],
    },
  },
  {
    files: ['protocols/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/src/platform/**',
                '**/src/partners/**',
                '**/src/catalog/**',
                '**/src/orders/**',
                '**/src/punchout/**',
                '**/src/invoices/**',
                '**/src/approvals/**',
                '**/src/delivery/**',
                '**/src/documents/**',
                '**/src/transports/**',
              ],
              message: 'codecs import only src/model',
            },
            { group: ['knex', 'express', 'bullmq', 'ioredis', 'pg', 'ssh2'], message: 'codecs are pure' },
          ],
        },
      ],
    },
  },
  {
    // Pages are JSX rendered by the page kit (escaped by Preact), never HTML assembled from strings.
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    plugins: { pages },
    rules: { 'pages/no-html-strings': 'error', 'pages/jsx-pragma': 'error' },
  },
);
