import { useState } from 'preact/hooks';
import { checkKey, session } from '../api';

/** Sign in with a finance or ops key: kept for this tab only, never put in a URL. */
export function SignIn(props: { readonly onSignedIn: () => void }) {
  const [key, setKey] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setChecking(true);
    const checked = await checkKey(key.trim());
    setChecking(false);
    if ('refused' in checked) {
      setProblem(checked.refused);
      return;
    }
    session.signIn(key.trim(), checked.role);
    props.onSignedIn();
  };
  return (
    <main class="sign-in">
      <h1>Image credits</h1>
      <form onSubmit={submit}>
        <label for="key">API key (finance or ops)</label>
        <input
          id="key"
          type="password"
          autocomplete="off"
          value={key}
          onInput={(event) => setKey((event.target as HTMLInputElement).value)}
          required
        />
        <button type="submit" disabled={checking}>
          {checking ? 'Checking…' : 'Sign in'}
        </button>
        {problem && (
          <p role="alert" class="error">
            {problem}
          </p>
        )}
      </form>
    </main>
  );
}
