import { render } from 'preact';
import { useState } from 'preact/hooks';
import { session } from './api';
import { Overview } from './pages/overview';
import { SignIn } from './pages/sign-in';
import './style.css';

function App() {
  const [signedIn, setSignedIn] = useState(session.key() !== null);
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  return (
    <>
      <header>
        <strong>Image credits</strong>
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
      <Overview />
    </>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);
