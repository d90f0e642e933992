import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { environmentSpec, loadConfig } from '@credits/config';
import { SUPPORTED_NODE_MAJOR } from '@credits/runtime';

/**
 * What can be proved of docker-compose.yml without a Docker engine: the file is valid (Debian's
 * `docker-compose config`, where installed), every variable the apps are given is one they read
 * and passes their checks, and each default it writes is the apps' own.
 */
const root = path.resolve(__dirname, '../..');
const MAIN = 'docker-compose.yml';
const KURRENTDB = 'docker-compose.kurrentdb.yml';
const APP_IMAGE = 'image-credits:latest';
const STORES: Record<string, string> = {
  kafka: '/var/lib/kafka/data',
  postgres: '/var/lib/postgresql/data',
};

interface Service {
  image?: string;
  restart?: string;
  environment?: Record<string, string | number>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  command?: string[];
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const readCompose = (file: string): ComposeFile =>
  parse(readFileSync(path.join(root, file), 'utf8'), { merge: true }) as ComposeFile;

/** `${NAME:-default}` → the default, as compose reads it with nothing set in .env. */
const INTERPOLATION = /\$\{([A-Z_][A-Z0-9_]*)(?::?-([^}]*))?\}/g;
const withNothingSet = (value: string | number): string =>
  String(value).replace(INTERPOLATION, (_all, _name: string, fallback?: string) => fallback ?? '');

const appServices = (compose: ComposeFile): [string, Service][] =>
  Object.entries(compose.services).filter(([, service]) => service.image === APP_IMAGE);

const specDefault = (name: string): string | undefined => {
  const spec = (environmentSpec as Record<string, { default?: unknown }>)[name];
  const fallback = spec?.default;
  if (fallback === undefined) return undefined;
  return Array.isArray(fallback) ? fallback.join(',') : String(fallback);
};

describe('docker-compose', () => {
  const main = readCompose(MAIN);
  const kurrentdb = readCompose(KURRENTDB);

  it('given every app service, then each variable it is given is one the apps read', () => {
    for (const [name, service] of appServices(main)) {
      const unknown = Object.keys(service.environment ?? {}).filter(
        (variable) => !(variable in environmentSpec),
      );
      expect({ service: name, unknown }).toEqual({ service: name, unknown: [] });
    }
    for (const service of Object.values(kurrentdb.services)) {
      for (const variable of Object.keys(service.environment ?? {}))
        if (service !== kurrentdb.services.kurrentdb)
          expect(environmentSpec).toHaveProperty(variable);
    }
  });

  it('given nothing set in .env, then every app service’s settings pass the apps’ checks', () => {
    for (const [, service] of appServices(main)) {
      const env = Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([key, value]) => [
          key,
          withNothingSet(value),
        ]),
      );
      expect(() => loadConfig(env)).not.toThrow();
      const onKurrentdb = { ...env, ...kurrentdb.services['credit-projector']?.environment };
      expect(loadConfig(onKurrentdb as NodeJS.ProcessEnv).eventStore).toMatchObject({
        adapter: 'eventstoredb',
      });
    }
  });

  it('given a default written as ${NAME:-default} for an app variable, then it is the apps’ own default', () => {
    const mismatched: string[] = [];
    for (const [, service] of appServices(main))
      for (const [variable, value] of Object.entries(service.environment ?? {}))
        for (const [, name, fallback] of String(value).matchAll(INTERPOLATION))
          if (name === variable && (fallback ?? '') !== (specDefault(variable) ?? ''))
            mismatched.push(
              `${variable}: compose ${fallback}, libs/config ${specDefault(variable)}`,
            );
    expect(mismatched).toEqual([]);
  });

  it('given .env.example, then it documents exactly the variables the compose files read, with their defaults', () => {
    const example = Object.fromEntries(
      readFileSync(path.join(root, '.env.example'), 'utf8')
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    const read = new Map<string, string>();
    for (const file of [MAIN, KURRENTDB])
      for (const [, name, fallback] of readFileSync(path.join(root, file), 'utf8').matchAll(
        INTERPOLATION,
      ))
        read.set(name as string, fallback ?? '');
    expect(example).toEqual(Object.fromEntries(read));
  });

  it('given every long-running service, then it restarts, has a healthcheck, and the apps wait for their stores’ health', () => {
    const services = { ...main.services, kurrentdb: kurrentdb.services.kurrentdb as Service };
    for (const [name, service] of Object.entries(services)) {
      if (name === 'api-keys') {
        expect(service.restart).toBe('no');
        continue;
      }
      expect({ name, restart: service.restart }).toEqual({ name, restart: 'unless-stopped' });
      expect({ name, healthcheck: service.healthcheck?.test.length ?? 0 }).not.toEqual({
        name,
        healthcheck: 0,
      });
    }
    for (const [name, service] of appServices(main).filter(([name]) => name !== 'api-keys')) {
      expect({ name, dependsOn: service.depends_on }).toMatchObject({
        name,
        dependsOn: {
          kafka: { condition: 'service_healthy' },
          postgres: { condition: 'service_healthy' },
        },
      });
      expect(kurrentdb.services[name]?.depends_on).toEqual({
        kurrentdb: { condition: 'service_healthy' },
      });
    }
    expect(main.services['quota-service']?.depends_on?.['api-keys']).toEqual({
      condition: 'service_completed_successfully',
    });
  });

  it('given every store, then its data is on a named volume', () => {
    for (const [service, dataDir] of Object.entries(STORES)) {
      const volume = main.services[service]?.volumes?.find((v) => v.endsWith(`:${dataDir}`));
      expect({ service, volume }).toEqual({ service, volume: expect.any(String) });
      expect(main.volumes).toHaveProperty((volume as string).split(':')[0] as string);
    }
    expect(kurrentdb.services.kurrentdb?.volumes).toEqual(['kurrentdb-data:/var/lib/kurrentdb']);
    expect(main.services['quota-service']?.volumes).toEqual(['api-keys:/app/.secrets:ro']);
  });

  it('given the image, then it is built and runs on the Node.js major the project pins', () => {
    const dockerfile = readFileSync(path.join(root, 'infra/docker/Dockerfile'), 'utf8');
    const bases = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((match) => match[1]);
    const image = `node:${SUPPORTED_NODE_MAJOR}-bookworm-slim`;
    expect(bases).toEqual([image, image]);
  });

  const composeCli = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
  const validate = composeCli.status === 0 ? it : it.skip;
  if (composeCli.status !== 0)
    console.warn(
      'docker-compose is not installed: `docker-compose config` is skipped (apt-get install docker-compose)',
    );
  validate('given docker-compose, then both ways to run the stack validate', () => {
    for (const files of [[MAIN], [MAIN, KURRENTDB]]) {
      const args = files.flatMap((file) => ['-f', file]);
      execFileSync('docker-compose', [...args, 'config', '-q'], { cwd: root, stdio: 'pipe' });
    }
  });
});
