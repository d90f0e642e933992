import { useEffect, useMemo, useState } from 'preact/hooks';
import { get, nextDay } from '../api';
import { DailyChart } from '../chart';
import type { RevenueAnswer, UsageAnswer, UsageRow } from '../api-types';

const COUNTS = [
  { key: 'generations', color: '#1f77b4' },
  { key: 'kept', color: '#2ca02c' },
  { key: 'discarded', color: '#ff7f0e' },
  { key: 'lapsed', color: '#9467bd' },
  { key: 'refused', color: '#d62728' },
] as const;

/** Every UTC day from `from` up to `to` (exclusive), as YYYY-MM-DD. */
function daysOf(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day < to && days.length <= 3_660; day = nextDay(day)) days.push(day);
  return days;
}

const today = () => new Date().toISOString().slice(0, 10);
const daysBefore = (day: string, count: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) - count * 86_400_000).toISOString().slice(0, 10);

/** Credits and generations per UTC day, the 4K share, and revenue where it is kept. */
export function Overview() {
  const [from, setFrom] = useState(daysBefore(today(), 60));
  const [to, setTo] = useState(nextDay(today()));
  const [usage, setUsage] = useState<UsageAnswer | null>(null);
  const [resolutions, setResolutions] = useState<UsageRow[]>([]);
  const [revenue, setRevenue] = useState<RevenueAnswer | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    const period = `from=${from}T00:00:00Z&to=${to}T00:00:00Z`;
    setProblem(null);
    Promise.all([
      get<UsageAnswer>(`/usage?${period}&by=day&limit=10000`),
      get<UsageAnswer>(`/usage?${period}&by=resolution`),
      get<RevenueAnswer>(`/finance/revenue?${period}&by=day`).catch(() => null),
    ])
      .then(([byDay, byResolution, money]) => {
        setUsage(byDay);
        setResolutions(byResolution.rows);
        setRevenue(money);
      })
      .catch((error: Error) => setProblem(error.message));
  }, [from, to]);
  const days = useMemo(() => daysOf(from, to), [from, to]);
  const series = useMemo(() => {
    const byDay = new Map((usage?.rows ?? []).map((row) => [row.key, row]));
    return COUNTS.map(({ key, color }) => ({
      label: key,
      color,
      values: days.map((day) => byDay.get(day)?.[key] ?? 0),
    }));
  }, [usage, days]);
  const credits = useMemo(() => {
    const byDay = new Map((usage?.rows ?? []).map((row) => [row.key, row]));
    return [
      {
        label: 'credits consumed',
        color: '#17becf',
        values: days.map((day) => byDay.get(day)?.credits ?? 0),
      },
    ];
  }, [usage, days]);
  const share4K = useMemo(() => {
    const all = resolutions.reduce((sum, row) => sum + row.generations, 0);
    const fourK = resolutions.find((row) => row.key === '4K')?.generations ?? 0;
    return all === 0 ? null : fourK / all;
  }, [resolutions]);
  return (
    <main>
      <h1>Overview</h1>
      <form class="period" onSubmit={(event) => event.preventDefault()}>
        <label>
          From (UTC day){' '}
          <input
            type="date"
            value={from}
            onChange={(e) => setFrom((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          To, exclusive (UTC day){' '}
          <input
            type="date"
            value={to}
            onChange={(e) => setTo((e.target as HTMLInputElement).value)}
          />
        </label>
      </form>
      {problem && (
        <p role="alert" class="error">
          {problem}
        </p>
      )}
      {usage && usage.rows.length === 0 && (
        <p class="empty">
          No generations in this period. Run <code>npm run credits -- demo</code> to publish a demo
          month (November 2026), or widen the period.
        </p>
      )}
      {usage && usage.rows.length > 0 && (
        <>
          <DailyChart
            title="Generations per UTC day"
            days={days}
            series={series}
            unit="generations"
          />
          <DailyChart
            title="Credits consumed per UTC day"
            days={days}
            series={credits}
            unit="credits"
          />
          <table>
            <caption>Totals over the period</caption>
            <tbody>
              {COUNTS.map(({ key }) => (
                <tr key={key}>
                  <th scope="row">{key}</th>
                  <td class="number">{usage.totals[key].toLocaleString('en')} generations</td>
                </tr>
              ))}
              <tr>
                <th scope="row">credits consumed</th>
                <td class="number">{usage.totals.credits.toLocaleString('en')} credits</td>
              </tr>
              <tr>
                <th scope="row">4K share of generations</th>
                <td class="number">{share4K === null ? '—' : `${(share4K * 100).toFixed(1)} %`}</td>
              </tr>
            </tbody>
          </table>
        </>
      )}
      {revenue && revenue.rows.length > 0 && <RevenueChart days={days} revenue={revenue} />}
    </main>
  );
}

/** Revenue recognised per UTC day and the closing deferred balance, per currency (minor units). */
function RevenueChart(props: {
  readonly days: readonly string[];
  readonly revenue: RevenueAnswer;
}) {
  const currencies = [...new Set(props.revenue.rows.map((row) => row.currency))].sort();
  return (
    <>
      {currencies.map((currency) => {
        const rows = new Map(
          props.revenue.rows
            .filter((row) => row.currency === currency)
            .map((row) => [row.period, row]),
        );
        return (
          <DailyChart
            key={currency}
            title={`Revenue per UTC day (${currency}, minor units)`}
            days={props.days}
            unit={`${currency} minor units`}
            series={[
              {
                label: 'recognised',
                color: '#2ca02c',
                values: props.days.map((day) => rows.get(day)?.recognised ?? 0),
              },
              {
                label: 'deferred (closing)',
                color: '#7f7f7f',
                values: props.days.map((day) => rows.get(day)?.closingDeferred ?? 0),
              },
            ]}
          />
        );
      })}
    </>
  );
}
