// Lint for what the compiler cannot see: the layers' one-way arrows (docs/architecture.md) and a few
// mistakes that lose data quietly (a promise nobody awaits). Runs in `npm test`.
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';

/** Each layer, lowest first, and what it may import. A layer never imports one above it. */
const layers = [
  { type: 'core', pattern: 'lib/core', allow: [] },
  { type: 'store', pattern: 'lib/store', allow: ['core'] },
  { type: 'security', pattern: 'lib/security', allow: ['core'] },
  { type: 'mysql', pattern: 'lib/mysql', allow: ['core'] },
  { type: 'storage', pattern: 'lib/storage', allow: ['core', 'security'] },
  { type: 'sandbox', pattern: 'lib/sandbox', allow: ['core', 'mysql'] },
  // Throttling (byte rate, Threads_running gate) is shared by the dump and the restore side.
  { type: 'throttle', pattern: 'lib/throttle', allow: ['core', 'mysql'] },
  { type: 'engine', pattern: 'lib/engine', allow: ['core', 'mysql', 'storage', 'throttle'] },
  { type: 'restore', pattern: 'lib/restore', allow: ['core', 'mysql', 'storage', 'security', 'throttle'] },
  { type: 'auth', pattern: 'lib/auth', allow: ['core', 'store', 'security'] },
  { type: 'runs', pattern: 'lib/runs', allow: ['core', 'store', 'security', 'mysql', 'storage', 'sandbox', 'engine', 'restore', 'auth', 'throttle'] },
  // Saved storage targets and the copies of backups made to them.
  { type: 'targets', pattern: 'lib/targets', allow: ['core', 'store', 'security', 'storage', 'runs'] },
  { type: 'alerts', pattern: 'lib/alerts', allow: ['core', 'store', 'security'] },
  { type: 'plans', pattern: 'lib/plans', allow: ['core', 'store', 'security', 'mysql', 'storage', 'sandbox', 'engine', 'restore', 'runs', 'targets', 'alerts', 'throttle'] },
  { type: 'drills', pattern: 'lib/drills', allow: ['core', 'store', 'security', 'mysql', 'storage', 'sandbox', 'engine', 'restore', 'runs', 'targets', 'alerts', 'plans', 'throttle'] },
  { type: 'workers', pattern: 'lib/workers', allow: ['core', 'store', 'security', 'mysql', 'storage', 'sandbox', 'engine', 'restore', 'runs', 'targets', 'alerts', 'plans', 'drills', 'throttle'] },
  // The dashboard talks to orchestration, never to the engine, the restore or a MySQL connection.
  { type: 'app', pattern: 'app', allow: ['core', 'store', 'security', 'auth', 'runs', 'targets', 'alerts', 'plans', 'drills', 'workers', 'storage'] },
  { type: 'cli', pattern: 'cli', allow: ['core', 'store', 'security', 'mysql', 'storage', 'sandbox', 'engine', 'restore', 'runs', 'targets', 'alerts', 'plans', 'drills', 'workers', 'throttle'] },
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.next/**', 'lib/generated/**', 'next-env.d.ts', 'test-results/**', 'playwright-report/**'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { boundaries },
    settings: {
      'boundaries/elements': layers.map(({ type, pattern }) => ({ type, pattern, mode: 'folder' })),
      'boundaries/include': ['lib/**/*', 'app/**/*', 'cli/**/*'],
      'import/resolver': { typescript: { alwaysTryTypes: true } },
    },
    rules: {
      'boundaries/element-types': [
        'error',
        {
          default: 'disallow',
          message: '${file.type} must not import ${dependency.type} (layers: docs/architecture.md)',
          rules: layers.map(({ type, allow }) => ({ from: type, allow: [type, ...allow] })),
        },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-control-regex': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    // Functions stay readable: past ~100 lines a function is doing several jobs (issue 16). The
    // count skips blank lines and comments; 120 leaves room for a long JSX tree or options table.
    files: ['lib/**/*.ts', 'app/**/*.ts', 'app/**/*.tsx', 'cli/**/*.ts'],
    ignores: ['**/*.test.ts', '**/*.fixture.ts', 'lib/generated/**'],
    rules: { 'max-lines-per-function': ['error', { max: 120, skipBlankLines: true, skipComments: true, IIFEs: true }] },
  },
  {
    // Tests, benchmarks and e2e specs may reach into any layer to set up what they check.
    files: ['**/*.test.ts', 'test/**', 'bench/**', 'e2e/**', '**/*.fixture.ts'],
    // Playwright fixtures take `{}` when they use no other fixture.
    rules: { 'boundaries/element-types': 'off', 'no-empty-pattern': 'off' },
  },
);
