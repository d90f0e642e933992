import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsDefined,
  IsInt,
  IsNumber,
  IsOptional,
  IsObject,
  IsString,
  Length,
  Max,
  Min,
  validateSync,
} from 'class-validator';
import { RESOLUTIONS, type PriceBookVersion } from '@credits/domain';
import { describeValidationErrors } from '../input-events/parse-input-event';

const MAX_CREDITS = 1_000_000_000;
/** A catalog names at most this many plans: a file past it is refused. */
export const MAX_CATALOG_PLANS = 1_000;

class EditPriceFile {
  @IsInt({ message: '$property must be a whole number of credits, 0 or more' })
  @Min(0, { message: '$property must be a whole number of credits, 0 or more' })
  @Max(MAX_CREDITS)
  generate!: number;

  @IsInt({ message: '$property must be a whole number of credits, 0 or more' })
  @Min(0, { message: '$property must be a whole number of credits, 0 or more' })
  @Max(MAX_CREDITS)
  accept!: number;
}

class RolloverRuleFile {
  @IsNumber({}, { message: 'fraction must be a number between 0 and 1' })
  @Min(0, { message: 'fraction must be a number between 0 and 1' })
  @Max(1, { message: 'fraction must be a number between 0 and 1' })
  fraction!: number;

  @IsInt({ message: 'capCredits must be a whole number of credits, 0 or more' })
  @Min(0, { message: 'capCredits must be a whole number of credits, 0 or more' })
  @Max(MAX_CREDITS)
  capCredits!: number;

  @IsOptional()
  @IsInt({ message: 'periods must be a whole number from 1 to 120' })
  @Min(1, { message: 'periods must be a whole number from 1 to 120' })
  @Max(120, { message: 'periods must be a whole number from 1 to 120' })
  periods?: number;
}

class PlanTermsFile {
  @IsInt({ message: 'allowanceCredits must be a whole number of credits, 0 or more' })
  @Min(0, { message: 'allowanceCredits must be a whole number of credits, 0 or more' })
  @Max(MAX_CREDITS)
  allowanceCredits!: number;

  @IsOptional()
  @IsIn(['reserve_kept_cost', 'reserve_generate_only'])
  reservation?: 'reserve_kept_cost' | 'reserve_generate_only';

  @IsOptional()
  @IsInt({ message: 'balanceThresholdCredits must be a whole number of credits, 0 or more' })
  @Min(0, { message: 'balanceThresholdCredits must be a whole number of credits, 0 or more' })
  @Max(MAX_CREDITS)
  balanceThresholdCredits?: number;

  /** Checked on its own (see `problemsOf`). */
  @IsOptional()
  @IsObject({ message: 'rollover must be an object: {fraction, capCredits, periods?}' })
  rollover?: RolloverRuleFile;
}

class CatalogFile {
  @IsString()
  @Length(1, 64, { message: 'version must be a string of 1 to 64 characters' })
  version!: string;

  /** Each resolution checked on its own (see `problemsOf`). */
  @IsDefined({ message: 'aiEdit needs the prices of 1K, 2K and 4K' })
  @IsObject({ message: 'aiEdit needs the prices of 1K, 2K and 4K' })
  aiEdit!: Record<string, EditPriceFile>;

  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  freeEditTypes!: string[];
}

/**
 * A catalog version as a file gives it (what `credits catalog publish` and `credits what-if
 * --price-book` read): `version`, `aiEdit.{1K,2K,4K}.{generate,accept}`, `freeEditTypes`, and
 * optional `plans` by name, each with `allowanceCredits` and optional `reservation`,
 * `balanceThresholdCredits` and `rollover {fraction, capCredits, periods?}`. `effectiveFrom` is
 * taken from the file when `effectiveFrom` is not given. Every problem is named by its path.
 */
export function parseCatalogVersion(
  value: unknown,
  effectiveFrom: string,
): { version: PriceBookVersion } | { problems: string[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { problems: ['the catalog must be a JSON object'] };
  const plain = value as Record<string, unknown>;
  const problems = problemsOf(CatalogFile, plain, '');
  const aiEdit = plain.aiEdit;
  if (typeof aiEdit === 'object' && aiEdit !== null)
    for (const resolution of RESOLUTIONS) {
      const price = (aiEdit as Record<string, unknown>)[resolution];
      if (typeof price !== 'object' || price === null)
        problems.push(`aiEdit.${resolution} needs its prices: {generate, accept}`);
      else problems.push(...problemsOf(EditPriceFile, price, `aiEdit.${resolution}.`));
    }
  const plans = plain.plans ?? {};
  if (typeof plans !== 'object' || plans === null || Array.isArray(plans))
    problems.push('plans must be an object of plans by name');
  else {
    const entries = Object.entries(plans);
    if (entries.length > MAX_CATALOG_PLANS)
      problems.push(`plans: at most ${MAX_CATALOG_PLANS} plans`);
    for (const [name, terms] of entries) {
      if (name.length < 1 || name.length > 64)
        problems.push(`plans: a plan name of 1 to 64 characters`);
      problems.push(...problemsOf(PlanTermsFile, terms ?? {}, `plans.${name}.`));
      const rollover = (terms as { rollover?: unknown } | null)?.rollover;
      if (typeof rollover === 'object' && rollover !== null)
        problems.push(...problemsOf(RolloverRuleFile, rollover, `plans.${name}.rollover.`));
    }
  }
  if (problems.length > 0) return { problems };
  const file = plain as unknown as Omit<PriceBookVersion, 'effectiveFrom'>;
  return {
    version: {
      version: file.version,
      effectiveFrom,
      aiEdit: Object.fromEntries(
        RESOLUTIONS.map((resolution) => [
          resolution,
          { generate: file.aiEdit[resolution].generate, accept: file.aiEdit[resolution].accept },
        ]),
      ) as PriceBookVersion['aiEdit'],
      freeEditTypes: [...file.freeEditTypes],
      ...(file.plans ? { plans: plansOf(file.plans) } : {}),
    },
  };
}

/** One object checked against one class, each problem named by its path. */
function problemsOf(type: new () => object, plain: unknown, prefix: string): string[] {
  const instance = Object.assign(Object.create(type.prototype) as object, plain);
  return describeValidationErrors(validateSync(instance), prefix);
}

/** The plans with only the fields the rules read. */
function plansOf(plans: NonNullable<PriceBookVersion['plans']>): PriceBookVersion['plans'] {
  return Object.fromEntries(
    Object.entries(plans).map(([name, terms]) => [
      name,
      {
        allowanceCredits: terms.allowanceCredits,
        ...(terms.reservation ? { reservation: terms.reservation } : {}),
        ...(terms.balanceThresholdCredits === undefined
          ? {}
          : { balanceThresholdCredits: terms.balanceThresholdCredits }),
        ...(terms.rollover
          ? {
              rollover: {
                fraction: terms.rollover.fraction,
                capCredits: terms.rollover.capCredits,
                ...(terms.rollover.periods === undefined
                  ? {}
                  : { periods: terms.rollover.periods }),
              },
            }
          : {}),
      },
    ]),
  );
}
