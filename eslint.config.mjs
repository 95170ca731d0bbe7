// One lint configuration for the whole repository (ESLint flat config).
// Module boundaries are enforced here, not by convention:
//  - @nx/enforce-module-boundaries: packages depend only on packages, never on apps or tools;
//    no relative imports that reach into another project.
//  - no-restricted-imports: another package is imported only through its public entry
//    (`@kse/x`), its test helpers (`@kse/x/testing`) or its `package.json`, never another
//    subpath such as `@kse/x/src/...` or `@kse/x/dist/...`.
//  - import-x/no-cycle: no import cycle inside a project either (a cycle between projects is
//    already an @nx/enforce-module-boundaries error). The TypeScript resolver maps the
//    `./x.js` specifiers of our ESM sources to `x.ts`. Imports of other projects count as
//    external and are not followed, so a project's lint never depends on another's build.
//  - import-x/no-restricted-paths: the rooms of apps/cli depend one way (see its README).
import nx from '@nx/eslint-plugin';
import jsoncParser from 'jsonc-eslint-parser';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

// The rooms of apps/cli/src and the rooms each may import, always through the other
// room's index.ts: commands → pipeline → verify, report; commands → verify, report.
const CLI_ROOMS = {
  commands: ['pipeline', 'verify', 'report'],
  pipeline: ['verify', 'report'],
  verify: [],
  report: [],
};
const cliRoomZones = Object.entries(CLI_ROOMS).flatMap(([target, allowed]) =>
  Object.keys(CLI_ROOMS)
    .filter((from) => from !== target)
    .map((from) =>
      allowed.includes(from)
        ? {
            target: `./${target}`,
            from: `./${from}`,
            except: ['./index.ts'],
            message: `Enter the ${from} room through its index.ts.`,
          }
        : {
            target: `./${target}`,
            from: `./${from}`,
            message: `The ${target} room does not depend on the ${from} room (see apps/cli/README.md).`,
          },
    ),
);

// The rooms of the packages that have more than one, and the arrows between them (each
// package's README draws them).
const ROOM_ZONES = {
  'apps/cli/src': cliRoomZones,
  // What runs inside AWS Lambda never depends on the local event source mapping.
  'packages/lambda/src': [
    {
      target: './adapters',
      from: './esm',
      message: 'adapters/ runs inside AWS Lambda: it never imports the local runtime (esm/).',
    },
  ],
  'packages/local-stack/src': [
    {
      // The one arrow from aws/ into emulators/: openAws starts the embedded stack.
      target: './aws',
      from: './emulators',
      except: ['./startLocalStack.ts'],
      message: 'aws/ reaches emulators/ only through startLocalStack (for openAws).',
    },
    {
      target: './emulators',
      from: './aws/openAws.ts',
      message: 'openAws starts the emulators; the emulators never import it back.',
    },
    {
      target: ['./aws', './emulators', './index.ts', './errors.ts'],
      from: './testing',
      message: 'The vitest harness ships on the testing subpath only, never the main entry.',
    },
  ],
};

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/.nx/**', '**/tmp/**'],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts', '**/*.cts', '**/*.js', '**/*.mjs', '**/*.cjs'],
    plugins: { '@nx': nx, 'import-x': importX },
    settings: {
      // Which files import-x reads to follow imports, and with which parser.
      'import-x/extensions': ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.mts', '.cts'] },
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          project: `${import.meta.dirname}/{packages,apps,tools}/*/tsconfig.json`,
          // One tsconfig per project, on purpose (each project is checked on its own).
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:package', onlyDependOnLibsWithTags: ['type:package'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:package'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:package', 'type:tool'] },
          ],
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^@kse/[^/]+/(?!(?:package\\.json|testing)$).+',
              message:
                'Import another kse package only through its public entry (`@kse/<name>`) or its test helpers (`@kse/<name>/testing`).',
            },
            {
              regex: '(^|/)(packages|apps)/[^/]+/src(/|$)',
              message: "Never import another project's src/ path; use its public entry.",
            },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...Object.entries(ROOM_ZONES).map(([src, zones]) => ({
    files: [`${src}/**`],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        { basePath: `${import.meta.dirname}/${src}`, zones },
      ],
    },
  })),
  {
    // Each project's package.json declares what its shipped code imports, and only that
    // (Nx reads the imports from the project graph; tests, benchmarks and configs are
    // dev-time and do not count).
    files: ['{packages,apps,tools}/*/package.json'],
    languageOptions: { parser: jsoncParser },
    plugins: { '@nx': nx },
    rules: {
      '@nx/dependency-checks': [
        'error',
        {
          buildTargets: ['build'],
          ignoredFiles: [
            '{projectRoot}/tests/**',
            '{projectRoot}/bench/**',
            '{projectRoot}/scripts/**',
            '{projectRoot}/eslint.config.{js,cjs,mjs}',
            '{projectRoot}/vitest.config.{js,ts,mjs,mts}',
            '{projectRoot}/tsdown.config.{js,ts,mjs,mts}',
          ],
          // apps/cli/bin/kse.js resolves nx only inside a checkout of this repository (to
          // build before it runs); an installed copy runs dist/ and never loads nx.
          ignoredDependencies: ['nx'],
          checkMissingDependencies: true,
          checkObsoleteDependencies: true,
          checkVersionMismatches: false,
          includeTransitiveDependencies: false,
          useLocalPathsForWorkspaceDependencies: false,
        },
      ],
    },
  },
  {
    files: ['**/tests/**', '**/bench/**', '**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  prettier,
);
