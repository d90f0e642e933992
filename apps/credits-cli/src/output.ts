import Table from 'cli-table3';
import { stringify } from 'csv-stringify/sync';

export const FORMATS = ['table', 'csv', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export type Row = Record<string, string | number | boolean | null>;

/** Rows as a table for people, CSV for spreadsheets, or JSON for scripts. */
export function render(rows: readonly Row[], columns: readonly string[], format: Format): string {
  if (format === 'json') return JSON.stringify(rows, null, 2);
  if (format === 'csv')
    return stringify(rows as Row[], { header: true, columns: [...columns] }).trimEnd();
  const table = new Table({ head: [...columns], style: { head: [], border: [] } });
  for (const row of rows) table.push(columns.map((column) => String(row[column] ?? '')));
  return table.toString();
}
