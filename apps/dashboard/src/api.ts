/** The key is kept for the browser tab only (sessionStorage), never in a URL. */
const KEY = 'image-credits.key';
/** Its role, as the service named it at sign-in: what the pages offer (the service decides). */
const ROLE = 'image-credits.role';

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY),
  role: (): string | null => sessionStorage.getItem(ROLE),
  signIn: (key: string, role: string) => {
    sessionStorage.setItem(KEY, key);
    sessionStorage.setItem(ROLE, role);
  },
  signOut: () => {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(ROLE);
  },
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
export function get<T>(path: string, key = session.key()): Promise<T> {
  return call<T>('GET', path, undefined, key);
}

/** POST a JSON body to a quota service route with the session's key. */
export function post<T>(path: string, body: unknown): Promise<T> {
  return call<T>('POST', path, body, session.key());
}

async function call<T>(
  method: string,
  path: string,
  sent: unknown,
  key: string | null,
): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: {
      Authorization: `Bearer ${key ?? ''}`,
      Accept: 'application/json',
      ...(sent === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: sent === undefined ? undefined : JSON.stringify(sent),
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

/** The dashboard is for finance and ops keys: the others' roles may not read what it shows. */
const DASHBOARD_ROLES = ['finance', 'ops'];

/** The key's role, or why it cannot sign in. */
export async function checkKey(key: string): Promise<{ role: string } | { refused: string }> {
  try {
    const { role } = await get<{ role: string }>('/whoami', key);
    if (!DASHBOARD_ROLES.includes(role))
      return {
        refused: `This key's role (${role}) may not read usage: sign in with a finance or ops key.`,
      };
    return { role };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401)
      return { refused: 'This key is not known.' };
    return { refused: `The service could not be reached: ${(error as Error).message}` };
  }
}

/** The UTC day after `day` (YYYY-MM-DD). */
export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
