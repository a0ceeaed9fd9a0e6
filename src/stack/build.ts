import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { StackError } from '../errors.js';
import { PHOENIX_VERSION, type StackLayout } from './config.js';

/** Runs a command to completion, its output appended to a log file; rejects with the log's tail. */
export function runLogged(cmd: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; logFile: string; signal?: AbortSignal }): Promise<void> {
  mkdirSync(join(options.logFile, '..'), { recursive: true });
  return new Promise((resolve, reject) => {
    let tail = '';
    if (options.signal?.aborted) return reject(new StackError('STACK_UNAVAILABLE', `${cmd}: not started, another part of the build failed`));
    // issue 16: another part's failure stops this one (its child is killed), so the build ends at the first failure.
    const child = spawn(cmd, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], ...(options.signal ? { signal: options.signal } : {}) });
    const onData = (d: Buffer): void => {
      writeFileSync(options.logFile, d, { flag: 'a' });
      tail = (tail + d.toString()).slice(-2000);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => reject(new StackError('STACK_UNAVAILABLE', `${cmd}: ${err.message}`, { cause: err })));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new StackError('STACK_UNAVAILABLE', `${cmd} ${args.join(' ')} failed (exit ${code}); see ${options.logFile}: ${tail.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

/** Finds an executable on PATH (or an absolute path that exists). */
export function which(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (name.startsWith('/')) return existsSync(name) ? name : undefined;
  for (const dir of (env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The collector release the manifest pins (`dist.version`); the builder must be the same release. */
export function manifestVersion(manifestText: string): string {
  const doc = parseYaml(manifestText) as { dist?: { version?: string } };
  const v = doc?.dist?.version;
  if (!v) throw new StackError('STACK_UNAVAILABLE', 'otel-collector/builder-config.yaml: dist.version is missing');
  return v.replace(/^v/, '');
}

/**
 * Builds the collector with the OpenTelemetry Collector Builder unless the
 * cached binary was built from this very manifest. Returns whether it built.
 */
export async function ensureCollector(l: StackLayout, signal?: AbortSignal): Promise<boolean> {
  const manifest = readFileSync(l.manifest, 'utf8');
  const version = manifestVersion(manifest);
  // The stamp covers the recipe too, so a change to how we build invalidates the cache.
  const stamp = sha256(`${manifest}\nrecipe:3`);
  if (existsSync(l.collectorBinary) && existsSync(l.collectorStamp) && readFileSync(l.collectorStamp, 'utf8').trim() === stamp) return false;

  const go = which('go', l.env) ?? which('/usr/local/go/bin/go');
  if (!go) throw new StackError('STACK_UNAVAILABLE', 'building the collector needs Go (https://go.dev/dl/); none on PATH');
  const logFile = join(l.logDir, 'collector-build.log');
  const env = { ...l.env, GOBIN: l.goBin, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' };
  const builder = join(l.goBin, 'builder');
  if (!existsSync(builder)) {
    l.log(`installing the OpenTelemetry Collector Builder v${version} (Go module proxy)`);
    await runLogged(go, ['install', `go.opentelemetry.io/collector/cmd/builder@v${version}`], { cwd: l.root, env, logFile, signal });
  }
  l.log(`building the collector from ${l.manifest} (first time: minutes)`);
  // The builder's own `go mod tidy` also resolves the test-only dependencies
  // of contrib modules, some of which the module proxy may not serve (e.g.
  // fileexporter's tests need otlpencodingextension); `tidy -e` tolerates
  // those and the binary does not need them.
  // The generated sources go to this layout's cache whatever output_path the manifest names.
  const doc = parseYaml(manifest) as { dist: Record<string, unknown> };
  doc.dist['output_path'] = l.collectorBuildDir;
  const resolved = join(l.cache, 'otelcol', 'builder-config.resolved.yaml');
  mkdirSync(join(l.cache, 'otelcol'), { recursive: true });
  writeFileSync(resolved, stringifyYaml(doc));
  rmSync(join(l.collectorBuildDir, 'go.mod'), { force: true });
  try {
    await runLogged(builder, ['--config', resolved, '--skip-compilation'], { cwd: l.root, env, logFile, signal });
  } catch (err) {
    // Its strict `go mod tidy` may fail as above after go.mod and the sources are written.
    if (!existsSync(join(l.collectorBuildDir, 'go.mod'))) throw err;
    l.log('the builder\'s go mod tidy failed on test-only dependencies; retrying with tidy -e');
  }
  await runLogged(go, ['mod', 'tidy', '-e'], { cwd: l.collectorBuildDir, env, logFile, signal });
  const out = join(l.collectorBuildDir, 'referee-otelcol');
  await runLogged(go, ['build', '-trimpath', '-ldflags=-s -w', '-o', out, '.'], { cwd: l.collectorBuildDir, env, logFile, signal });
  // Copy then rename: a running collector keeps its old file (overwriting it in place is ETXTBSY).
  copyFileSync(out, `${l.collectorBinary}.new`);
  renameSync(`${l.collectorBinary}.new`, l.collectorBinary);
  writeFileSync(l.collectorStamp, stamp + '\n');
  return true;
}

/** Installs Phoenix from PyPI into the project-local virtualenv unless it is there already. */
export async function ensurePhoenix(l: StackLayout, signal?: AbortSignal): Promise<boolean> {
  if (existsSync(l.phoenixStamp) && existsSync(join(l.phoenixVenv, 'bin', 'phoenix'))) return false;
  // A pyenv shim exists for versions that are not installed: ask each candidate to run.
  const python = ['python3.13', 'python3.12', 'python3.11', 'python3.10', 'python3']
    .map((p) => which(p, l.env))
    .find((p) => p && /^Python 3\.(1[0-9])/.test(spawnSync(p, ['--version'], { encoding: 'utf8', env: l.env }).stdout ?? ''));
  if (!python) throw new StackError('STACK_UNAVAILABLE', 'Phoenix needs Python 3.10 or newer; none on PATH');
  const logFile = join(l.logDir, 'phoenix-install.log');
  if (!existsSync(join(l.phoenixVenv, 'bin', 'pip'))) await runLogged(python, ['-m', 'venv', l.phoenixVenv], { cwd: l.root, logFile, signal });
  l.log(`installing arize-phoenix==${PHOENIX_VERSION} into ${l.phoenixVenv} (first time: minutes)`);
  await runLogged(join(l.phoenixVenv, 'bin', 'pip'), ['install', '--disable-pip-version-check', '-q', `arize-phoenix==${PHOENIX_VERSION}`], {
    cwd: l.root,
    logFile,
    signal,
  });
  writeFileSync(l.phoenixStamp, `${PHOENIX_VERSION}\n`);
  return true;
}

/** Prometheus from the system (Debian's package); installed with apt-get when running as root. */
export async function ensurePrometheus(l: StackLayout, signal?: AbortSignal): Promise<string> {
  const found = which('prometheus', l.env) ?? which('/usr/bin/prometheus');
  if (found) return found;
  if (process.getuid?.() === 0 && which('apt-get', l.env)) {
    l.log('installing prometheus with apt-get');
    const logFile = join(l.logDir, 'prometheus-install.log');
    const env = { ...l.env, DEBIAN_FRONTEND: 'noninteractive' };
    try {
      await runLogged('apt-get', ['install', '-y', '--no-install-recommends', 'prometheus'], { cwd: l.root, env, logFile, signal });
    } catch {
      await runLogged('apt-get', ['update'], { cwd: l.root, env, logFile, signal });
      await runLogged('apt-get', ['install', '-y', '--no-install-recommends', 'prometheus'], { cwd: l.root, env, logFile, signal });
    }
    const installed = which('/usr/bin/prometheus');
    if (installed) return installed;
  }
  throw new StackError('STACK_UNAVAILABLE', 'Prometheus is not installed: `apt-get install prometheus` (Debian/Ubuntu) or put a prometheus binary on PATH');
}

/** Builds or finds all three parts; idempotent and fast once cached. */
export async function buildStack(l: StackLayout): Promise<{ collectorBuilt: boolean; phoenixInstalled: boolean; prometheus: string }> {
  mkdirSync(l.logDir, { recursive: true });
  // Go and pip mostly wait on the network and compile in turn; run them side by side.
  // issue 16: the first failure stops the others instead of letting them run on for minutes.
  const abort = new AbortController();
  const part = <T>(p: Promise<T>): Promise<T> =>
    p.catch((err: unknown) => {
      abort.abort();
      throw err;
    });
  const [collectorBuilt, phoenixInstalled, prometheus] = await Promise.all([
    part(ensureCollector(l, abort.signal)),
    part(ensurePhoenix(l, abort.signal)),
    part(ensurePrometheus(l, abort.signal)),
  ]);
  return { collectorBuilt, phoenixInstalled, prometheus };
}

export { PHOENIX_VERSION };
