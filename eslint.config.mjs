import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import pages from './eslint-rules/pages.cjs';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', 'coverage/**', 'fixtures/**', 'scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Type-checked rules (issue 14) on every TypeScript file; the project service finds each file's
  // tsconfig (tsconfig.json covers src, protocols, migrations, test, bench, soak and scripts).
  ...tseslint.configs.recommendedTypeChecked.map((c) => ({ ...c, files: ['**/*.ts', '**/*.tsx'] })),
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  {
    // Tests read JSON and XML answers (supertest and fetch bodies are `any`) and assert on them:
    // typing every response body would add casts, not safety. Every other type-checked rule applies.
    files: ['test/**/*.ts', 'test/**/*.tsx'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
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
              // Every feature folder (src/cxml, src/edi, src/jobs, ... and any new one), only the model allowed.
              group: ['**/src/**', '!**/src/model', '!**/src/model/**'],
              message: 'codecs import only src/model',
            },
            { group: ['knex', 'express', 'bullmq', 'ioredis', 'pg', 'ssh2'], message: 'codecs are pure' },
          ],
        },
      ],
    },
  },
  {
    // Routes and pages validate, call one use case and render: the database is reached through the
    // feature's use cases and repositories, never from here (issue 14).
    files: [
      'src/**/routes.ts',
      'src/**/page.tsx',
      'src/**/pages.tsx',
      'src/**/views.tsx',
      'src/**/*-views.tsx',
      'src/**/screen.tsx',
      'src/**/*-screen.tsx',
    ],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='db']",
          message: 'routes and pages call a use case; database access lives in use cases and repositories',
        },
        {
          selector: "MemberExpression[property.name='transaction']",
          message: 'routes and pages call a use case; transactions live in use cases',
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['knex', 'pg', '@electric-sql/*'], message: 'no database access in routes and pages' },
          ],
        },
      ],
    },
  },
  {
    // Readable sizes (issue 14): no function over 80 lines and no file over 400 in src/, blank lines
    // and comments not counted. Codec tables live in protocols/, which this does not cover.
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    rules: {
      'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // Pages are JSX rendered by the page kit (escaped by Preact), never HTML assembled from strings.
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    plugins: { pages },
    rules: { 'pages/no-html-strings': 'error', 'pages/jsx-pragma': 'error' },
  },
);
