/**
 * The quota service's answers as its OpenAPI document describes them (docs/openapi.json, made
 * into types by `npm run openapi`): the pages read these, so a change to an answer's shape
 * fails the dashboard's typecheck instead of its users.
 */
import type { components } from '../../../libs/quota-client/src/schema';

type Schemas = components['schemas'];

export type BalanceAnswer = Schemas['BalanceResponse'];
export type OpenHoldsAnswer = Schemas['OpenHoldsResponse'];
export type LedgerLine = Schemas['LedgerEntry'];
export type UsageRow = Schemas['UsageRowView'];
export type UsageAnswer = Schemas['UsageResponse'];
export type RevenueAnswer = Schemas['RevenueResponse'];
export type StatusAnswer = Schemas['OpsStatusResponse'];
export type DeadLetter = Schemas['DeadLetterView'];
export type DeadLettersAnswer = Schemas['DeadLettersResponse'];
