/** The AI edit types the editor names today; any other type is priced as an AI edit too. */
export const AI_EDIT_TYPES = [
  'virtual_staging',
  'twilight',
  'object_removal',
  'inpainting',
  'find_and_replace',
] as const;

export const RESOLUTIONS = ['1K', '2K', '4K'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export function isResolution(value: unknown): value is Resolution {
  return typeof value === 'string' && (RESOLUTIONS as readonly string[]).includes(value);
}
