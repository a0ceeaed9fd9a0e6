import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'runs/**', '.cache/**', 'coverage/**', '**/*.min.js', 'src/monitor/assets/vendor/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', Buffer: 'readonly', fetch: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', performance: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // The OpenTelemetry SDK stays inside src/telemetry (DESIGN.md, STYLE.md 6).
    files: ['src/**/*.ts'],
    ignores: ['src/telemetry/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@opentelemetry/sdk-*', '@opentelemetry/exporter-*', '@opentelemetry/resources', '@opentelemetry/otlp-*'], message: 'Only src/telemetry/ may use the OpenTelemetry SDK; use @opentelemetry/api.' }] }],
    },
  },
);
