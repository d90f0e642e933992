/** The key is kept for the browser tab only (sessionStorage), never in a URL. */
const KEY = 'image-credits.key';

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY),
  signIn: (key: string) => sessionStorage.setItem(KEY, key),
  signOut: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** GET a quota service route with the session's key; an error answer becomes its message. */
export async function get<T>(path: string, key = session.key()): Promise<T> {
  const response = await fetch(path, {
    headers: { Authorization: `Bearer ${key ?? ''}`, Accept: 'application/json' },
  });
  const body = (await response.json().catch(() => null)) as
    (T & { error?: string; details?: string[] }) | null;
  if (!response.ok)
    throw new ApiError(
      response.status,
      body?.details?.join('; ') ?? body?.error ?? `the service answered ${response.status}`,
    );
  return body as T;
}

/** What a key may see: finance and ops read usage; a key that may not is refused here. */
export async function checkKey(key: string): Promise<string | null> {
  try {
    const day = new Date().toISOString().slice(0, 10);
    await get(`/usage?from=${day}T00:00:00Z&to=${nextDay(day)}T00:00:00Z&limit=1`, key);
    return null;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return 'This key is not known.';
    if (error instanceof ApiError && error.status === 403)
      return "This key's role may not read usage: sign in with a finance or ops key.";
    return `The service could not be reached: ${(error as Error).message}`;
  }
}

/** The UTC day after `day` (YYYY-MM-DD). */
export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
