import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { freePort, portAnswers, startApp, startCommand } from '../harness/processes';

async function health(port: number) {
  const response = await fetch(`http://127.0.0.1:${port}/health`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the services as processes', () => {
  it('quota-service: given the real Kafka and PostgreSQL, when started, then it prints its URL, answers /health, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const service = startApp('quota-service', { PORT: String(port) });
    const line = await service.waitForLine(/listening on/);
    expect(line).toBe(
      `quota-service: listening on http://127.0.0.1:${port} (API documentation at /docs)`,
    );

    const { status, body } = await health(port);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'ok',
      info: { kafka: { status: 'up' }, postgres: { status: 'up' } },
    });

    const exit = await service.stop('SIGTERM');
    expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
    expect(await portAnswers(port)).toBe(false);
  });

  it('credit-projector: when started, then it runs until SIGINT and stops cleanly', async () => {
    const projector = startApp('credit-projector', {
      PROJECTOR_METRICS_PORT: String(await freePort()),
    });
    await projector.waitForLine(/^credit-projector: consuming editor-events from Kafka/);
    const exit = await projector.stop('SIGINT');
    expect(exit.code === 0 || exit.signal === 'SIGINT').toBe(true);
    expect(projector.stderr.filter((line) => !line.startsWith('{'))).toEqual([]);
  });

  describe('bad input at start-up: one clear line, exit 1, no stack trace', () => {
    /** What it printed beside the line naming the Node.js it runs on, which comes first. */
    async function failure(app: string, env: NodeJS.ProcessEnv) {
      const started = startApp(app, env);
      const exit = await started.exited;
      const [runtime, ...lines] = started.messages;
      expect(runtime).toMatch(new RegExp(`^${app}: starting on Node\\.js v\\d+`));
      return { exit, lines };
    }

    it('given a malformed variable', async () => {
      const { exit, lines } = await failure('quota-service', { PORT: 'http' });
      expect(exit.code).toBe(1);
      expect(lines).toEqual([
        'quota-service: error: PORT="http" is invalid: Invalid port input: "http"; set it like PORT=3000, or unset it for the default',
      ]);
    });

    it('given an unreachable PostgreSQL', async () => {
      const { exit, lines } = await failure('credit-projector', {
        DATABASE_URL: 'postgres://postgres@127.0.0.1:1/image_credits',
      });
      expect(exit.code).toBe(1);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^credit-projector: error: PostgreSQL at 127\.0\.0\.1:1 cannot be used .*: start PostgreSQL/,
      );
    });

    it('given an unreachable Kafka', async () => {
      const { exit, lines } = await failure('credit-projector', {
        KAFKA_BROKERS: '127.0.0.1:1',
        KAFKA_CONNECT_TIMEOUT_MS: '2000',
      });
      expect(exit.code).toBe(1);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^credit-projector: error: Kafka at 127\.0\.0\.1:1 does not answer .*KAFKA_BROKERS/,
      );
    });

    it('given a taken port', async () => {
      const port = await freePort();
      const squatter: Server = createServer();
      await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
      try {
        const { exit, lines } = await failure('quota-service', { PORT: String(port) });
        expect(exit.code).toBe(1);
        expect(lines).toEqual([
          `quota-service: error: port ${port} on 127.0.0.1 is taken by another process: stop it or set PORT to a free port`,
        ]);
      } finally {
        squatter.close();
      }
    });
  });

  const javaPresent = (() => {
    try {
      execFileSync('java', ['-version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  (javaPresent ? it : it.skip)(
    'npm start: with KAFKA_BROKERS unset, it starts its own broker and both services, and on Ctrl-C stops them all and leaves nothing listening',
    async () => {
      const [httpPort, kafkaPort, controllerPort] = [
        await freePort(),
        await freePort(),
        await freePort(),
      ];
      const runDir = mkdtempSync(path.join(tmpdir(), 'credits-start-'));
      const start = startCommand('bash', ['infra/scripts/start.sh'], {
        KAFKA_BROKERS: '',
        KAFKA_PORT: String(kafkaPort),
        KAFKA_CONTROLLER_PORT: String(controllerPort),
        KAFKA_RUN_DIR: runDir,
        PORT: String(httpPort),
        PROJECTOR_METRICS_PORT: String(await freePort()),
      });
      await start.waitForLine(/^credit-projector: consuming/, 120_000);
      await start.waitForLine(
        new RegExp(`^quota-service: listening on http://127.0.0.1:${httpPort} `),
        120_000,
      );
      expect((await health(httpPort)).status).toBe(200);

      const exit = await start.stop('SIGINT');
      expect(exit.code).toBe(130);
      expect(start.messages).toContain('kafka: stopped');
      // With API_KEYS unset it made (or kept) one key per role, readable only by its owner.
      const keysLine = start.messages.find((line) =>
        line.includes('API keys (worker, billing, finance, ops)'),
      );
      const keysFile = /are in (\S+),/.exec(keysLine ?? '')?.[1] ?? '';
      expect(statSync(keysFile).mode & 0o777).toBe(0o600);
      expect(readFileSync(keysFile, 'utf8')).toMatch(
        /^API_KEYS=worker:[0-9a-f]{64}:worker-1,billing:[0-9a-f]{64}:billing-1,finance:[0-9a-f]{64}:finance-1,ops:[0-9a-f]{64}:ops-1$/m,
      );
      for (const port of [httpPort, kafkaPort, controllerPort])
        expect(await portAnswers(port)).toBe(false);
    },
    180_000,
  );
});
