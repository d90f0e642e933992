import { useCallback, useEffect, useState } from 'preact/hooks';
import { get, post, session } from '../api';
import type {
  DeadLetter as Letter,
  DeadLettersAnswer as LetterPage,
  StatusAnswer as Status,
} from '../api-types';

/** The status is read again this often while the page is open. */
const REFRESH_MS = 5_000;
const LETTERS_PER_PAGE = 50;
/** Where a replay may put a letter: where it came from, or either input topic (wrong_topic). */
const TARGETS = ['', 'editor-events', 'billing-events'] as const;

const utc = (instant: string | null) => (instant ? instant.replace('T', ' ').slice(0, 19) : '—');

/** Lag per partition and read model, and the dead letters; ops keys may replay them. */
export function Ops() {
  const mayReplay = session.role() === 'ops';
  const [status, setStatus] = useState<Status | null>(null);
  const [statusAt, setStatusAt] = useState<string | null>(null);
  const [letters, setLetters] = useState<LetterPage | null>(null);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [targets, setTargets] = useState<Record<string, string>>({});

  useEffect(() => {
    const read = () =>
      get<Status>('/ops/status')
        .then((answer) => {
          setStatus(answer);
          setStatusAt(new Date().toISOString());
        })
        .catch((error: Error) => setProblem(error.message));
    void read();
    const timer = setInterval(read, REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  const readLetters = useCallback(() => {
    get<LetterPage>(
      `/ops/dead-letters?limit=${LETTERS_PER_PAGE}${cursor ? `&cursor=${cursor}` : ''}`,
    )
      .then(setLetters)
      .catch((error: Error) => setProblem(error.message));
  }, [cursor]);
  useEffect(readLetters, [readLetters]);

  const replay = async (letter: Letter) => {
    const to = targets[letter.at] || undefined;
    const onto = to ?? `the topic it came from (${letter.from.split('/')[0]})`;
    if (
      !confirm(
        `Put dead letter ${letter.at} (${letter.reason}) back on ${onto}? Its ids are kept: what already took effect is not charged again.`,
      )
    )
      return;
    setDone(null);
    try {
      const answer = await post<{ replayed: { topic: string; at: string[] }[] }>(
        '/ops/dead-letters/replay',
        { at: [letter.at], ...(to ? { to } : {}) },
      );
      setDone(
        answer.replayed
          .map(({ topic, at }) => `Replayed ${at.join(', ')} onto ${topic}.`)
          .join(' '),
      );
    } catch (error) {
      setProblem((error as Error).message);
    }
  };

  return (
    <main>
      <h1>Ops</h1>
      {problem && (
        <p role="alert" class="error">
          {problem}
        </p>
      )}
      <section aria-label="Projector">
        <h2>Projector partitions {status?.stalled ? '(STALLED)' : ''}</h2>
        <p>
          Read {statusAt ? `${utc(statusAt)} UTC` : '(loading)'}, again every {REFRESH_MS / 1000} s.
          Stalled: lag and no progress for longer than PROJECTOR_STALL_AFTER_MS, or nobody owns the
          partition.
        </p>
        {status && status.partitions.length === 0 && (
          <p class="empty">
            No input topic yet: start the services with <code>npm start</code>.
          </p>
        )}
        {status && status.partitions.length > 0 && (
          <table>
            <thead>
              <tr>
                <th>topic</th>
                <th>partition</th>
                <th>owner</th>
                <th>committed (offset)</th>
                <th>end (offset)</th>
                <th>lag (messages)</th>
                <th>last progress (UTC)</th>
                <th>stalled</th>
              </tr>
            </thead>
            <tbody>
              {status.partitions.map((row) => (
                <tr key={`${row.topic}/${row.partition}`} class={row.stalled ? 'stalled' : ''}>
                  <td>{row.topic}</td>
                  <td class="number">{row.partition}</td>
                  <td>{row.owner ?? 'nobody'}</td>
                  <td class="number">{row.committed ?? '—'}</td>
                  <td class="number">{row.end}</td>
                  <td class="number">{row.lag.toLocaleString('en')}</td>
                  <td>{utc(row.lastProgress)}</td>
                  <td>{row.stalled ? 'yes' : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-label="Read models">
        <h2>Read models</h2>
        {status?.readModelsUnknown && (
          <p role="alert" class="error">
            The read models could not be read: {status.readModelsUnknown}
          </p>
        )}
        {status && status.readModels.length > 0 && (
          <table>
            <thead>
              <tr>
                <th>read model</th>
                <th>version</th>
                <th>state</th>
                <th>checkpoint</th>
                <th>behind (ledger events)</th>
                <th>last progress (UTC)</th>
                <th>stalled</th>
              </tr>
            </thead>
            <tbody>
              {status.readModels.map((row) => (
                <tr key={`${row.readModel}@${row.version}`} class={row.stalled ? 'stalled' : ''}>
                  <td>{row.readModel}</td>
                  <td class="number">{row.version}</td>
                  <td>{row.state}</td>
                  <td>{row.checkpoint}</td>
                  <td class="number">{row.eventsBehind.toLocaleString('en')}</td>
                  <td>{utc(row.lastProgress)}</td>
                  <td>{row.stalled ? 'yes' : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-label="Dead letters">
        <h2>Dead letters</h2>
        {done && <p role="status">{done}</p>}
        {letters && (
          <p>
            {letters.kept.toLocaleString('en')} kept on the topic; this page by reason:{' '}
            {Object.entries(letters.byReason)
              .map(([reason, count]) => `${reason} ${count}`)
              .join(', ') || 'none'}
            .
          </p>
        )}
        {letters && letters.letters.length === 0 && (
          <p class="empty">No dead letters: every message read so far was decided.</p>
        )}
        {letters && letters.letters.length > 0 && (
          <table>
            <thead>
              <tr>
                <th>at</th>
                <th>dead-lettered (UTC)</th>
                <th>reason</th>
                <th>from</th>
                <th>account (key)</th>
                <th>details</th>
                <th>copies</th>
                {mayReplay && <th>replay</th>}
              </tr>
            </thead>
            <tbody>
              {letters.letters.map((letter) => (
                <tr key={letter.at}>
                  <td>{letter.at}</td>
                  <td>{utc(letter.deadLetteredAt)}</td>
                  <td>{letter.reason}</td>
                  <td>{letter.from}</td>
                  <td>{letter.key ?? '—'}</td>
                  <td class="wrap">{letter.details}</td>
                  <td class="number">{letter.copies}</td>
                  {mayReplay && (
                    <td>
                      <select
                        aria-label={`Replay ${letter.at} onto`}
                        value={targets[letter.at] ?? ''}
                        onChange={(event) =>
                          setTargets({
                            ...targets,
                            [letter.at]: (event.target as HTMLSelectElement).value,
                          })
                        }
                      >
                        {TARGETS.map((target) => (
                          <option key={target} value={target}>
                            {target || 'where it came from'}
                          </option>
                        ))}
                      </select>{' '}
                      <button type="button" onClick={() => void replay(letter)}>
                        Replay {letter.at}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p>
          <button
            type="button"
            disabled={cursor === undefined}
            onClick={() => setCursor(undefined)}
          >
            Newest
          </button>{' '}
          <button
            type="button"
            disabled={!letters?.next}
            onClick={() => setCursor(letters?.next ?? undefined)}
          >
            Older
          </button>
        </p>
      </section>
    </main>
  );
}
