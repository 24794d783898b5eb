// @ts-check
import tseslint from 'typescript-eslint';

// Ambient sources of time, randomness, scheduling and environment. Code under core/ and
// sim/ must get all of these through injected ports, or runs stop being replayable.
const ambientGlobals = [
  { name: 'Date', message: 'Use the Clock port: wall time breaks determinism.' },
  { name: 'performance', message: 'Use the Clock port: wall time breaks determinism.' },
  { name: 'setTimeout', message: 'Schedule through the event queue, not real timers.' },
  { name: 'setInterval', message: 'Schedule through the event queue, not real timers.' },
  { name: 'setImmediate', message: 'Schedule through the event queue, not real timers.' },
  { name: 'clearTimeout', message: 'Schedule through the event queue, not real timers.' },
  { name: 'clearInterval', message: 'Schedule through the event queue, not real timers.' },
  { name: 'process', message: 'No environment, argv or stdio in core/ and sim/: the CLI passes them in.' },
  { name: 'fetch', message: 'No real network in core/ and sim/.' },
  { name: 'crypto', message: 'Use the Rng port; import node:crypto hashes explicitly if needed.' },
  { name: 'window', message: 'No browser globals in core/ and sim/.' },
  { name: 'document', message: 'No browser globals in core/ and sim/.' },
];

const ambientProperties = [
  { object: 'Math', property: 'random', message: 'Use the Rng port (seeded streams).' },
  { object: 'globalThis', property: 'Date', message: 'Use the Clock port.' },
  { object: 'globalThis', property: 'performance', message: 'Use the Clock port.' },
  { object: 'globalThis', property: 'process', message: 'No environment in core/ and sim/.' },
  { object: 'globalThis', property: 'setTimeout', message: 'No real timers.' },
  { object: 'globalThis', property: 'setInterval', message: 'No real timers.' },
];

const ambientModules = [
  'fs', 'node:fs', 'fs/promises', 'node:fs/promises',
  'timers', 'node:timers', 'timers/promises', 'node:timers/promises',
  'perf_hooks', 'node:perf_hooks', 'process', 'node:process', 'os', 'node:os',
  'child_process', 'node:child_process', 'worker_threads', 'node:worker_threads',
  'net', 'node:net', 'http', 'node:http',
].map((name) => ({ name, message: 'core/ and sim/ do no I/O and read no ambient state; the CLI does.' }));

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', '.build/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['core/**/*.ts', 'sim/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', ...ambientGlobals],
      'no-restricted-properties': ['error', ...ambientProperties],
      'no-restricted-imports': ['error', { paths: ambientModules }],
    },
  },
  {
    // Tests may read their fixture files (bundled scenarios, the shipped JSON Schema).
    files: ['core/**/*.test.ts', 'sim/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ambientModules.filter((m) => !['fs', 'node:fs'].includes(m.name)) }],
    },
  },
  {
    // The engine knows nothing of the simulator or the CLI.
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ambientModules,
        patterns: [{ group: ['**/sim/**', '**/cli/**', '**/reports/**'], message: 'core/ imports nothing of this project outside core/.' }],
      }],
    },
  },
  {
    // The world is the system and its surroundings; the harness (scenario, runner,
    // observers, shrink, swarm) drives and watches it. The world never reaches back.
    files: ['sim/world/**/*.ts'],
    ignores: ['sim/world/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ambientModules,
        patterns: [{ group: ['**/harness/**', '**/cli/**', '**/reports/**'], message: 'sim/world/ imports nothing of the harness, the CLI or the reports.' }],
      }],
    },
  },
  {
    // Every command loads the CLI's modules before it parses its arguments: a package
    // imported at the top is paid by all of them, used or not. esbuild's API costs about
    // as much as Node's own start-up (BENCHMARKS.md, "Start-up"); the one command that
    // builds a page imports it where it does.
    files: ['cli/**/*.ts', 'reports/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'esbuild', message: 'await import(\'esbuild\') where it is used: a top-level import costs every command its start-up.', allowTypeImports: true }] }],
    },
  },
  {
    // zod's own `z` is one object of everything zod exports, its 40-odd locales among them
    // (366 KB): a bundle that imports it carries them all, and every command parses them as
    // it starts. A namespace import lets esbuild keep only the parts used (BENCHMARKS.md,
    // twenty-third session).
    rules: {
      'no-restricted-syntax': ['error', {
        selector: "ImportDeclaration[source.value='zod'][importKind!='type'] > ImportSpecifier[imported.name='z'][importKind!='type']",
        message: "import * as z from 'zod': zod's own `z` brings every locale into the bundle.",
      }],
    },
  },
);
