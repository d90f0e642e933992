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
    const id = randomBytes(2).toString('hex');
    // 10.213.0.0/16 is no network this project's machines use; the third byte is the lab's.
    const lab = new NetworkLab(id, `10.213.${randomBytes(1)[0]}`, members);
    await lab.sh(['link', 'add', lab.bridge, 'type', 'bridge']);
    await lab.sh(['addr', 'add', `${lab.hostAddress}/24`, 'dev', lab.bridge]);
    await lab.sh(['link', 'set', lab.bridge, 'up']);
    for (const [index, member] of members.entries()) {
      const namespace = lab.namespace(member);
      const veth = `cr${id}h${index}`;
      await lab.sh(['netns', 'add', namespace]);
      await lab.sh([
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
      await lab.sh(['link', 'set', veth, 'master', lab.bridge, 'up']);
      await lab.sh(['-n', namespace, 'addr', 'add', `${lab.address(member)}/24`, 'dev', 'eth0']);
      await lab.sh(['-n', namespace, 'link', 'set', 'eth0', 'up']);
      await lab.sh(['-n', namespace, 'link', 'set', 'lo', 'up']);
      await lab.nft(
        member,
        'add table inet lab',
        'add chain inet lab in { type filter hook input priority 0 ; }',
        'add chain inet lab out { type filter hook output priority 0 ; }',
      );
    }
    return lab;
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
      await this.sh([
        '-n',
        this.namespace(member),
        ...['qdisc', 'add', 'dev', 'eth0', 'root', 'netem'],
        ...['delay', `${delayMs}ms`, `${jitterMs}ms`],
      ]);
      return `${lossPercent}% loss each way, ${delayMs} ms ± ${jitterMs} ms delay out`;
    } catch {
      return `${lossPercent}% loss each way (no delay: this kernel has no netem)`;
    }
  }

  /** Undoes every cut and degradation of the member. */
  async heal(member: string): Promise<void> {
    await this.nft(member, 'flush chain inet lab in', 'flush chain inet lab out');
    await this.sh(['-n', this.namespace(member), 'qdisc', 'del', 'dev', 'eth0', 'root']).catch(
      () => undefined, // there was no qdisc of ours
    );
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
    await run('ip', ['netns', 'exec', this.namespace(member), 'nft', commands.join(' ; ')], {
      timeout: 30_000,
    });
  }
}
