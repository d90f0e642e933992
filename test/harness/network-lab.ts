import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Members a lab may have: a bound on what it creates on the host (names end in one digit). */
const MAX_MEMBERS = 9;

/** How a degraded link misbehaves: the figures, as netem takes them. */
export interface Degradation {
  readonly delayMs: number;
  readonly jitterMs: number;
  readonly lossPercent: number;
}

/**
 * A /24 under 10.213.0.0/16 that no route of this host's covers (a lab left behind by a killed
 * run keeps its own): one in 256, tried a few times.
 */
async function freeSubnet(): Promise<string> {
  const { stdout } = await run('ip', ['-4', 'route'], { timeout: 30_000 });
  for (let tries = 0; tries < 16; tries += 1) {
    const subnet = `10.213.${randomBytes(1)[0]}`;
    if (!stdout.includes(`${subnet}.`)) return subnet;
  }
  throw new Error('no free /24 under 10.213.0.0/16: delete the labs left behind (ip netns list)');
}

/** Why a lab cannot be made here, or null when it can: it needs root, ip and nft. */
export function networkLabUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  for (const tool of ['ip', 'nft'])
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `no ${tool} on this machine (Debian's ${tool === 'ip' ? 'iproute2' : 'nftables'})`;
    }
  const probe = `credits-probe-${randomBytes(3).toString('hex')}`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
    execFileSync('ip', ['netns', 'exec', probe, 'nft', 'add', 'table', 'inet', 'probe'], {
      stdio: 'pipe',
    });
    return null;
  } catch (error) {
    return `cannot make a network namespace with nftables here: ${(error as Error).message.split('\n')[0]}`;
  } finally {
    try {
      execFileSync('ip', ['netns', 'del', probe], { stdio: 'ignore' });
    } catch {
      // It was never made.
    }
  }
}

/**
 * A network of a run's own: a bridge on this host, and a network namespace per member joined to
 * it by a veth pair, each with an address on a /24 of the lab's. The host is reachable at the
 * bridge's address (.1): this process, and servers it starts there. Nothing is routed beyond the
 * bridge.
 *
 * A cut is a pair of nftables rules in a member's namespace that drop packets silently, in and
 * out, as a real partition does: the other side sees no reset, only silence, and its requests
 * time out with their outcomes unknown.
 */
export class NetworkLab {
  private constructor(
    private readonly id: string,
    private readonly subnet: string,
    private readonly members: readonly string[],
  ) {}

  static async create(members: readonly string[]): Promise<NetworkLab> {
    if (members.length === 0 || members.length > MAX_MEMBERS)
      throw new RangeError(`a lab has 1 to ${MAX_MEMBERS} members, not ${members.length}`);
    const lab = new NetworkLab(randomBytes(2).toString('hex'), await freeSubnet(), members);
    try {
      await lab.build();
    } catch (error) {
      await lab.destroy(); // what was made before the failure
      throw error;
    }
    return lab;
  }

  private async build(): Promise<void> {
    await this.sh(['link', 'add', this.bridge, 'type', 'bridge']);
    await this.sh(['addr', 'add', `${this.hostAddress}/24`, 'dev', this.bridge]);
    await this.sh(['link', 'set', this.bridge, 'up']);
    for (const [index, member] of this.members.entries()) {
      const namespace = this.namespace(member);
      const veth = `cr${this.id}h${index}`;
      await this.sh(['netns', 'add', namespace]);
      await this.sh([
        'link',
        'add',
        veth,
        'type',
        'veth',
        'peer',
        'name',
        'eth0',
        'netns',
        namespace,
      ]);
      await this.sh(['link', 'set', veth, 'master', this.bridge, 'up']);
      await this.sh(['-n', namespace, 'addr', 'add', `${this.address(member)}/24`, 'dev', 'eth0']);
      await this.sh(['-n', namespace, 'link', 'set', 'eth0', 'up']);
      await this.sh(['-n', namespace, 'link', 'set', 'lo', 'up']);
      await this.nft(
        member,
        'add table inet lab',
        'add chain inet lab in { type filter hook input priority 0 ; }',
        'add chain inet lab out { type filter hook output priority 0 ; }',
      );
    }
  }

  get hostAddress(): string {
    return `${this.subnet}.1`;
  }

  /** The subnet, as pg_hba.conf and listen settings take it. */
  get cidr(): string {
    return `${this.subnet}.0/24`;
  }

  address(member: string): string {
    return `${this.subnet}.${10 + this.indexOf(member)}`;
  }

  namespace(member: string): string {
    return `credits-${this.id}-${this.indexOf(member)}`;
  }

  /** The command that runs `command args` inside the member's namespace. */
  command(member: string, command: string, args: readonly string[]): [string, string[]] {
    return ['ip', ['netns', 'exec', this.namespace(member), command, ...args]];
  }

  /**
   * Drops every packet between `member` and each peer (members, or the host's address), both
   * ways; with `port`, only what goes to or comes from that port of theirs.
   */
  async cut(member: string, peers: readonly string[], port?: number): Promise<void> {
    const addresses = peers.map((peer) =>
      peer === 'host' ? this.hostAddress : this.address(peer),
    );
    const set = `{ ${addresses.join(', ')} }`;
    const to = port === undefined ? '' : `tcp dport ${port} `;
    const from = port === undefined ? '' : `tcp sport ${port} `;
    await this.nft(
      member,
      `add rule inet lab out ip daddr ${set} ${to}drop`,
      `add rule inet lab in ip saddr ${set} ${from}drop`,
    );
  }

  /**
   * Makes the member's link lossy and slow. Loss is an nftables rule (a random `lossPercent` of
   * packets dropped, each way). The delay needs netem; a kernel built without it (this project's
   * CI machines) gets the loss alone, and the answer says so.
   */
  async degrade(member: string, { delayMs, jitterMs, lossPercent }: Degradation): Promise<string> {
    await this.nft(
      member,
      `add rule inet lab out numgen random mod 100 < ${lossPercent} drop`,
      `add rule inet lab in numgen random mod 100 < ${lossPercent} drop`,
    );
    try {
      await run(
        'tc',
        [
          ...['-n', this.namespace(member), 'qdisc', 'add', 'dev', 'eth0', 'root', 'netem'],
          ...['delay', `${delayMs}ms`, `${jitterMs}ms`],
        ],
        { timeout: 30_000 },
      );
      return `${lossPercent}% loss each way, ${delayMs} ms ± ${jitterMs} ms delay out`;
    } catch (error) {
      if (!/qdisc kind is unknown/.test((error as { stderr?: string }).stderr ?? '')) throw error;
      return `${lossPercent}% loss each way (no delay: this kernel has no netem)`;
    }
  }

  /** Undoes every cut and degradation of the member. */
  async heal(member: string): Promise<void> {
    await this.nft(member, 'flush chain inet lab in', 'flush chain inet lab out');
    await run('tc', ['-n', this.namespace(member), 'qdisc', 'del', 'dev', 'eth0', 'root'], {
      timeout: 30_000,
    }).catch(() => undefined); // there was no qdisc of ours
  }

  async healAll(): Promise<void> {
    for (const member of this.members) await this.heal(member);
  }

  /** Deletes the namespaces (their veth pairs go with them) and the bridge. */
  async destroy(): Promise<void> {
    for (const member of this.members)
      await this.sh(['netns', 'del', this.namespace(member)]).catch(() => undefined);
    await this.sh(['link', 'del', this.bridge]).catch(() => undefined);
  }

  private get bridge(): string {
    return `crlab${this.id}`;
  }

  private indexOf(member: string): number {
    const index = this.members.indexOf(member);
    if (index < 0)
      throw new Error(`${member} is not a member of this lab (${this.members.join(', ')})`);
    return index;
  }

  private async sh(args: readonly string[]): Promise<void> {
    await run('ip', args, { timeout: 30_000 });
  }

  private async nft(member: string, ...commands: string[]): Promise<void> {
    await run(...this.command(member, 'nft', [commands.join(' ; ')]), { timeout: 30_000 });
  }
}
