// One lint configuration for the whole repository (ESLint flat config).
// Module boundaries are enforced here, not by convention:
//  - @nx/enforce-module-boundaries: packages depend only on packages, never on apps or tools;
//    no relative imports that reach into another project.
//  - no-restricted-imports: another package is imported only through its public entry
//    (`@kse/x`), never a subpath such as `@kse/x/src/...` or `@kse/x/dist/...`.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/.nx/**', '**/tmp/**'],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts', '**/*.cts', '**/*.js', '**/*.mjs', '**/*.cjs'],
    plugins: { '@nx': nx },
    rules: {
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
              regex: '^@kse/[^/]+/(?!package\\.json$).+',
              message: 'Import another kse package only through its public entry (`@kse/<name>`).',
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
  {
    files: ['**/tests/**', '**/bench/**', '**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  prettier,
);
