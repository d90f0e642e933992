import { useEffect, useState } from 'preact/hooks';
import { get, nextDay } from '../api';

interface AccountRow {
  readonly key: string;
  readonly generations: number;
  readonly refused: number;
  readonly credits: number;
}

/** How many accounts the page ranks: the most refused of one page of the usage route. */
const SHOWN = 20;

/** The accounts refused most over the last 30 days: the ones running out of credits. */
export function RunningOut() {
  const [rows, setRows] = useState<AccountRow[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    const today = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.parse(`${today}T00:00:00Z`) - 30 * 86_400_000)
      .toISOString()
      .slice(0, 10);
    get<{ rows: AccountRow[] }>(
      `/usage?from=${from}T00:00:00Z&to=${nextDay(today)}T00:00:00Z&by=account&limit=10000`,
    )
      .then((answer) =>
        setRows(
          answer.rows
            .filter((row) => row.refused > 0)
            .sort((a, b) => b.refused - a.refused || a.key.localeCompare(b.key))
            .slice(0, SHOWN),
        ),
      )
      .catch((error: Error) => setProblem(error.message));
  }, []);
  return (
    <main>
      <h1>Accounts running out</h1>
      <p>The accounts with the most refused generations over the last 30 days (UTC).</p>
      {problem && (
        <p role="alert" class="error">
          {problem}
        </p>
      )}
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
                <td>
                  <a href={`#/accounts/${encodeURIComponent(row.key)}`}>{row.key}</a>
                </td>
                <td class="number">{row.refused}</td>
                <td class="number">{row.generations}</td>
                <td class="number">{row.credits}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
