import { useEffect, useState } from 'preact/hooks';
import { get, nextDay } from '../api';
import type { UsageRow as AccountRow } from '../api-types';

interface Runway {
  readonly key: string;
  readonly available: number;
  /** Credits consumed per day over the window. */
  readonly dailyUse: number;
  readonly daysLeft: number;
}

/** How many accounts each table ranks. */
const SHOWN = 20;
/** The heaviest users whose balances are read to rank by runway: one balance read each. */
const RUNWAYS_READ = 50;
const WINDOW_DAYS = 30;

/** The accounts with the least available against their daily use: the fewest days left. */
async function runwaysOf(rows: readonly AccountRow[]): Promise<Runway[]> {
  const heaviest = rows
    .filter((row) => row.credits > 0)
    .sort((a, b) => b.credits - a.credits)
    .slice(0, RUNWAYS_READ);
  const runways = await Promise.all(
    heaviest.map(async (row) => {
      const { available } = await get<{ available: number }>(
        `/accounts/${encodeURIComponent(row.key)}/balance`,
      );
      const dailyUse = row.credits / WINDOW_DAYS;
      return { key: row.key, available, dailyUse, daysLeft: available / dailyUse };
    }),
  );
  return runways.sort((a, b) => a.daysLeft - b.daysLeft).slice(0, SHOWN);
}

const accountLink = (key: string) => <a href={`#/accounts/${encodeURIComponent(key)}`}>{key}</a>;

/** The accounts refused most, and those with the fewest days of credits left at their usual use. */
export function RunningOut() {
  const [rows, setRows] = useState<AccountRow[] | null>(null);
  const [runways, setRunways] = useState<Runway[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    const today = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.parse(`${today}T00:00:00Z`) - WINDOW_DAYS * 86_400_000)
      .toISOString()
      .slice(0, 10);
    get<{ rows: AccountRow[] }>(
      `/usage?from=${from}T00:00:00Z&to=${nextDay(today)}T00:00:00Z&by=account&limit=10000`,
    )
      .then((answer) => {
        setRows(
          answer.rows
            .filter((row) => row.refused > 0)
            .sort((a, b) => b.refused - a.refused || a.key.localeCompare(b.key))
            .slice(0, SHOWN),
        );
        return runwaysOf(answer.rows).then(setRunways);
      })
      .catch((error: Error) => setProblem(error.message));
  }, []);
  return (
    <main>
      <h1>Accounts running out</h1>
      {problem && (
        <p role="alert" class="error">
          {problem}
        </p>
      )}
      <section aria-label="Refused most">
        <h2>Refused most</h2>
        <p>The accounts with the most refused generations over the last {WINDOW_DAYS} UTC days.</p>
        {rows && rows.length === 0 && <p class="empty">No account was refused a generation.</p>}
        {rows && rows.length > 0 && (
          <table>
            <thead>
              <tr>
                <th>account</th>
                <th>refused</th>
                <th>generations</th>
                <th>credits consumed</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.key}>
                  <td>{accountLink(row.key)}</td>
                  <td class="number">{row.refused}</td>
                  <td class="number">{row.generations}</td>
                  <td class="number">{row.credits}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-label="Fewest days left">
        <h2>Fewest days left</h2>
        <p>
          Available credits now against usual daily use (credits consumed over the last{' '}
          {WINDOW_DAYS} UTC days ÷ {WINDOW_DAYS}), for the {RUNWAYS_READ} heaviest users.
        </p>
        {runways && runways.length === 0 && (
          <p class="empty">
            No credits were consumed in the window: run <code>npm run credits -- demo</code> for
            sample data.
          </p>
        )}
        {runways && runways.length > 0 && (
          <table>
            <thead>
              <tr>
                <th>account</th>
                <th>available (credits)</th>
                <th>usual use (credits/day)</th>
                <th>days left</th>
              </tr>
            </thead>
            <tbody>
              {runways.map((row) => (
                <tr key={row.key}>
                  <td>{accountLink(row.key)}</td>
                  <td class="number">{row.available.toLocaleString('en')}</td>
                  <td class="number">{row.dailyUse.toFixed(1)}</td>
                  <td class="number">{row.daysLeft.toFixed(1)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </main>
  );
}
