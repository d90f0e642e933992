import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { session } from './api';
import { Account } from './pages/account';
import { Ops } from './pages/ops';
import { Overview } from './pages/overview';
import { RunningOut } from './pages/running-out';
import { SignIn } from './pages/sign-in';
import './style.css';

/** The page the location's hash names: #/, #/accounts/<id>, #/running-out, #/ops. */
function useRoute(): string {
  const [route, setRoute] = useState(location.hash.slice(1) || '/');
  useEffect(() => {
    const changed = () => setRoute(location.hash.slice(1) || '/');
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

function Page(props: { readonly route: string }) {
  const account = /^\/accounts\/(.+)$/.exec(props.route);
  if (account) return <Account accountId={decodeURIComponent(account[1] ?? '')} />;
  if (props.route === '/running-out') return <RunningOut />;
  if (props.route === '/ops') return <Ops />;
  return <Overview />;
}

function App() {
  const [signedIn, setSignedIn] = useState(session.key() !== null);
  const [accountId, setAccountId] = useState('');
  const route = useRoute();
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  return (
    <>
      <header>
        <nav aria-label="Pages">
          <a href="#/">Overview</a> <a href="#/running-out">Accounts running out</a>{' '}
          <a href="#/ops">Ops</a>
        </nav>
        <form
          role="search"
          onSubmit={(event) => {
            event.preventDefault();
            if (accountId.trim())
              location.hash = `#/accounts/${encodeURIComponent(accountId.trim())}`;
          }}
        >
          <label>
            Account{' '}
            <input
              name="account"
              value={accountId}
              onInput={(event) => setAccountId((event.target as HTMLInputElement).value)}
            />
          </label>{' '}
          <button type="submit">Open</button>
        </form>
        <button
          type="button"
          onClick={() => {
            session.signOut();
            setSignedIn(false);
          }}
        >
          Sign out
        </button>
      </header>
      <Page route={route} />
    </>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);
