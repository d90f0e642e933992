import { useEffect, useMemo, useState } from 'preact/hooks';
import { get } from '../api';
import { DailyChart } from '../chart';
import { download, toCsv } from '../csv';
import type {
  BalanceAnswer as Balance,
  LedgerLine,
  OpenHoldsAnswer as OpenHolds,
  UsageRow as MemberRow,
} from '../api-types';

const LEDGER_COLUMNS = [
  'time',
  'type',
  'credits',
  'available',
  'generationId',
  'sourceEventId',
  'publishedBy',
] as const;
/** The statement shows at most this many lines (10 pages of the ledger route). */
const MAX_LINES = 10_000;

/** Every ledger line between two instants, page by page, up to MAX_LINES. */
async function ledgerOf(accountId: string, from: string, to: string): Promise<LedgerLine[]> {
  const lines: LedgerLine[] = [];
  let cursor: string | null = null;
  do {
    const page: { entries: LedgerLine[]; next: string | null } = await get(
      `/accounts/${encodeURIComponent(accountId)}/ledger?from=${from}&to=${to}&limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
    );
    lines.push(...page.entries);
    cursor = page.next;
  } while (cursor !== null && lines.length < MAX_LINES);
  return lines;
}

/** One account: its balance now or as of an instant, its ledger as a statement, its agents. */
export function Account(props: { readonly accountId: string }) {
  const { accountId } = props;
  const [asOf, setAsOf] = useState('');
  const [from, setFrom] = useState('2026-11-01T00:00:00Z');
  const [to, setTo] = useState(
    new Date(Date.now() + 86_400_000).toISOString().slice(0, 10) + 'T00:00:00Z',
  );
  // The balance with the instant it was read as of: the heading never names one the numbers are not.
  const [loaded, setLoaded] = useState<{ asOf: string; balance: Balance } | null>(null);
  const balance = loaded?.balance ?? null;
  const [holds, setHolds] = useState<OpenHolds | null>(null);
  const [lines, setLines] = useState<LedgerLine[]>([]);
  const [members, setMembers] = useState<MemberRow[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const account = encodeURIComponent(accountId);
  useEffect(() => {
    setProblem(null);
    setLoaded(null);
    get<Balance>(`/accounts/${account}/balance${asOf ? `?asOf=${encodeURIComponent(asOf)}` : ''}`)
      .then((answer) => setLoaded({ asOf, balance: answer }))
      .catch((error: Error) => setProblem(error.message));
  }, [account, asOf]);
  useEffect(() => {
    get<OpenHolds>(`/accounts/${account}/holds?limit=1000`)
      .then(setHolds)
      .catch(() => setHolds(null));
  }, [account]);
  useEffect(() => {
    ledgerOf(accountId, from, to)
      .then(setLines)
      .catch((error: Error) => setProblem(error.message));
    const day = (instant: string) => instant.slice(0, 10) + 'T00:00:00Z';
    get<{ rows: MemberRow[] }>(
      `/accounts/${account}/usage?from=${day(from)}&to=${day(to)}&by=member`,
    )
      .then((answer) => setMembers(answer.rows))
      .catch(() => setMembers([]));
  }, [account, accountId, from, to]);
  const daily = useMemo(() => {
    // The available balance at each UTC day's last ledger line.
    const byDay = new Map<string, number>();
    for (const line of lines) byDay.set(line.time.slice(0, 10), line.available);
    const days = [...byDay.keys()].sort();
    return { days, values: days.map((day) => byDay.get(day) ?? 0) };
  }, [lines]);
  const totalCredits = lines.reduce((sum, line) => sum + line.credits, 0);
  return (
    <main>
      <h1>Account {accountId}</h1>
      {problem && (
        <p role="alert" class="error">
          {problem}
        </p>
      )}
      <section aria-label="Balance">
        <h2>Balance {loaded ? (loaded.asOf ? `as of ${loaded.asOf}` : 'now') : '(loading)'}</h2>
        <label>
          As of (RFC 3339, UTC; empty: now){' '}
          <input
            name="asOf"
            value={asOf}
            placeholder="2026-11-15T00:00:00Z"
            onChange={(event) => setAsOf((event.target as HTMLInputElement).value.trim())}
          />
        </label>
        {balance && (
          <table>
            <tbody>
              <tr>
                <th scope="row">available</th>
                <td class="number" data-testid="available">
                  {balance.available.toLocaleString('en')} credits
                </td>
              </tr>
              <tr>
                <th scope="row">held by open generations</th>
                <td class="number">{balance.held.toLocaleString('en')} credits</td>
              </tr>
            </tbody>
          </table>
        )}
        {balance && balance.grants.length > 0 && (
          <table>
            <caption>Grants</caption>
            <thead>
              <tr>
                <th>grant</th>
                <th>kind</th>
                <th>remaining (credits)</th>
                <th>expires (UTC)</th>
              </tr>
            </thead>
            <tbody>
              {balance.grants.map((grant) => (
                <tr key={grant.grantId}>
                  <td>{grant.grantId}</td>
                  <td>{grant.kind}</td>
                  <td class="number">{grant.remaining.toLocaleString('en')}</td>
                  <td>{grant.expiresAt ?? 'never'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {holds && (
          <table>
            <caption>
              Open holds now: {holds.held.toLocaleString('en')} credits
              {holds.holds.length === 0 ? ' (none)' : ''}
              {holds.open > holds.holds.length
                ? ` (the first ${holds.holds.length} of ${holds.open} shown)`
                : ''}
            </caption>
            {holds.holds.length > 0 && (
              <thead>
                <tr>
                  <th>generation</th>
                  <th>edit</th>
                  <th>resolution</th>
                  <th>agent</th>
                  <th>held (credits)</th>
                  <th>lapses (UTC)</th>
                </tr>
              </thead>
            )}
            <tbody>
              {holds.holds.map((hold) => (
                <tr key={hold.generationId}>
                  <td>{hold.generationId}</td>
                  <td>{hold.editType}</td>
                  <td>{hold.resolution ?? '—'}</td>
                  <td>{hold.memberId ?? '—'}</td>
                  <td class="number">{hold.held.toLocaleString('en')}</td>
                  <td>{hold.expiresAt.replace('T', ' ').slice(0, 19)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-label="Statement">
        <h2>Statement</h2>
        <form class="period" onSubmit={(event) => event.preventDefault()}>
          <label>
            From (RFC 3339, UTC){' '}
            <input
              value={from}
              onChange={(e) => setFrom((e.target as HTMLInputElement).value.trim())}
            />
          </label>
          <label>
            To, exclusive{' '}
            <input
              value={to}
              onChange={(e) => setTo((e.target as HTMLInputElement).value.trim())}
            />
          </label>
          <button
            type="button"
            onClick={() => download(`statement-${accountId}.csv`, toCsv(lines, LEDGER_COLUMNS))}
          >
            Download CSV
          </button>
        </form>
        {daily.days.length > 0 && (
          <DailyChart
            title="Available credits at each UTC day's end"
            days={daily.days}
            unit="credits"
            series={[{ label: 'available', color: '#1f77b4', values: daily.values }]}
          />
        )}
        <p>
          {lines.length.toLocaleString('en')} lines
          {lines.length >= MAX_LINES ? ` (the first ${MAX_LINES.toLocaleString('en')})` : ''},
          credits moved in all: <span data-testid="credits-moved">{totalCredits}</span>
        </p>
        <table>
          <thead>
            <tr>
              {LEDGER_COLUMNS.map((column) => (
                <th key={column}>{column}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {lines.slice(0, 500).map((line) => (
              <tr key={line.position}>
                <td>{line.time}</td>
                <td>{line.type}</td>
                <td class="number">{line.credits}</td>
                <td class="number">{line.available}</td>
                <td>{line.generationId ?? ''}</td>
                <td>{line.sourceEventId ?? ''}</td>
                <td>{line.publishedBy ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {lines.length > 500 && <p>The table shows the first 500 lines; the CSV has them all.</p>}
      </section>
      {members.length > 0 && (
        <section aria-label="Agents">
          <h2>Agents of the pool</h2>
          <table>
            <thead>
              <tr>
                <th>agent</th>
                <th>generations</th>
                <th>kept</th>
                <th>refused</th>
                <th>credits</th>
              </tr>
            </thead>
            <tbody>
              {members.map((member) => (
                <tr key={member.key}>
                  <td>{member.key}</td>
                  <td class="number">{member.generations}</td>
                  <td class="number">{member.kept}</td>
                  <td class="number">{member.refused}</td>
                  <td class="number">{member.credits}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </main>
  );
}
