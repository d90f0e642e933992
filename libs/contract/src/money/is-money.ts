import { codes } from 'currency-codes';
import { ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * The ISO 4217 codes a price may be in (the currency-codes package's list, pinned with it), less
 * XXX ("no currency") and XTS (reserved for testing): neither can price a sale.
 */
export const CURRENCY_CODES: ReadonlySet<string> = new Set(
  codes().filter((code) => code !== 'XXX' && code !== 'XTS'),
);

/** Far above any real price in minor units; keeps sums of prices exact in JavaScript numbers. */
export const MAX_PRICE_MINOR_UNITS = 1_000_000_000_000;

/** Why `value` is not a price `{amount, currency}`, naming the field; null when it is one. */
export function moneyProblem(property: string, value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return `${property} must be an object {amount, currency}`;
  const { amount, currency, ...rest } = value as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) return `${property} has fields it does not take: ${extra.join(', ')}`;
  if (
    typeof amount !== 'number' ||
    !Number.isInteger(amount) ||
    amount < 0 ||
    amount > MAX_PRICE_MINOR_UNITS
  )
    return `${property}.amount must be a whole number of minor units from 0 to ${MAX_PRICE_MINOR_UNITS} (cents for EUR), not ${JSON.stringify(amount)}`;
  if (typeof currency !== 'string' || !CURRENCY_CODES.has(currency))
    return `${property}.currency must be an ISO 4217 currency code such as EUR or USD, not ${JSON.stringify(currency)}`;
  return null;
}

/** A price: `{amount, currency}` as `moneyProblem` checks it, with one message naming the field. */
export function IsMoney(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isMoney',
      validator: {
        validate: (value, args) => moneyProblem(args?.property ?? 'price', value) === null,
        defaultMessage: (args) =>
          moneyProblem(args?.property ?? 'price', args?.value) ?? 'price is not a price',
      },
    },
    options,
  );
}
