import { execFile, execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './processes';
import { SmallDisk } from './small-disk';

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of its own, made with the server's own initdb and pg_ctl in a temporary
 * directory, so a test may stop it without touching the machine's shared server.
 */
export interface ThrowawayPostgres {
  /** A database on it, made for the test. */
  readonly databaseUrl: string;
  readonly port: number;
  /** Stops it the hard way (pg_ctl -m immediate): connections cut, crash recovery on start. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and deletes its files. */
  destroy(): Promise<void>;
  /** The small disk its database lives on, when it was asked for one. */
  readonly disk?: SmallDisk;
}

/** The newest server's bin directory: POSTGRES_BIN_DIR, pg_config's, or /usr/lib/postgresql/N/bin. */
function serverBinaries(): string | null {
  const candidates: string[] = [];
  if (process.env.POSTGRES_BIN_DIR) candidates.push(process.env.POSTGRES_BIN_DIR);
  const installed = '/usr/lib/postgresql';
  if (existsSync(installed))
    candidates.push(
      ...readdirSync(installed)
        .filter((version) => /^\d+$/.test(version))
        .sort((a, b) => Number(b) - Number(a))
        .map((version) => path.join(installed, version, 'bin')),
    );
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim());
  } catch {
    // No pg_config on the PATH: the other candidates decide.
  }
  return candidates.find((dir) => existsSync(path.join(dir, 'initdb'))) ?? null;
}

/** initdb refuses to run as root: there, the cluster belongs to the postgres account. */
function clusterOwner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
  return { uid: id('-u'), gid: id('-g') };
}

/** Why a throwaway cluster cannot be made here, or null when it can. */
export function throwawayPostgresUnavailable(): string | null {
  if (!serverBinaries())
    return 'no PostgreSQL server binaries (initdb, pg_ctl) on this machine: set POSTGRES_BIN_DIR';
  try {
    clusterOwner();
  } catch {
    return 'running as root, and there is no postgres account to own a throwaway cluster';
  }
  return null;
}

export interface ThrowawayPostgresOptions {
  /**
   * The test's database lives in a tablespace on a tmpfs of this size (the cluster's own files
   * and its WAL stay on the machine's disk), for a run that fills it.
   */
  readonly diskMb?: number;
  /**
   * It listens on this address of the host too, and trusts clients from this subnet: processes
   * in a run's network namespaces reach it there (test/harness/network-lab).
   */
  readonly alsoOn?: { readonly address: string; readonly clients: string };
}

export async function createThrowawayPostgres(
  options: ThrowawayPostgresOptions = {},
): Promise<ThrowawayPostgres> {
  const bin = serverBinaries();
  if (!bin) throw new Error(throwawayPostgresUnavailable() ?? 'no PostgreSQL binaries');
  const owner = clusterOwner();
  const home = mkdtempSync(path.join(tmpdir(), 'credits-pg-'));
  if (owner) chownSync(home, owner.uid, owner.gid);
  const data = path.join(home, 'data');
  const port = await freePort();
  const listenOn = ['127.0.0.1', ...(options.alsoOn ? [options.alsoOn.address] : [])].join(',');
  const asOwner = (tool: string, args: string[]) =>
    run(path.join(bin, tool), args, { ...owner, cwd: home, timeout: 120_000 });
  const start = async () => {
    await asOwner('pg_ctl', [
      '-D',
      data,
      '-l',
      path.join(home, 'server.log'),
      '-w',
      '-o',
      `-p ${port} -k ${home} -c listen_addresses=${listenOn}`,
      'start',
    ]);
  };
  const stop = async () => {
    await asOwner('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
  };

  await asOwner('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync']);
  if (options.alsoOn)
    appendFileSync(
      path.join(data, 'pg_hba.conf'),
      `host all all ${options.alsoOn.clients} trust\n`,
    );
  await start();
  const serverUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  const disk = options.diskMb === undefined ? undefined : SmallDisk.mount(options.diskMb, owner);
  if (disk) {
    await admin.query(`CREATE TABLESPACE small_disk LOCATION '${disk.path}'`);
    await admin.query('CREATE DATABASE credits_faults TABLESPACE small_disk');
  } else await admin.query('CREATE DATABASE credits_faults');
  await admin.end();
  return {
    databaseUrl: `postgres://postgres@127.0.0.1:${port}/credits_faults`,
    port,
    stop,
    start,
    destroy: async () => {
      await stop().catch(() => undefined);
      disk?.destroy();
      rmSync(home, { recursive: true, force: true });
    },
    ...(disk ? { disk } : {}),
  };
}
