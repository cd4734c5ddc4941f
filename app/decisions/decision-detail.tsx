'use client';
// One decision explained: the spec branch, the rule in words, the inputs that decided it, and
// where to go next (the user, the message in the store, the session).
import Link from 'next/link';
import type { DecisionRecord } from '../../server/live/events';
import { KeyValues } from '../_components/key-values';
import { Pill } from '../_components/pill';
import { sessionPath, userPath } from '../_lib/api';

export function DecisionDetail({ d, onClose }: { d: DecisionRecord; onClose: () => void }) {
  const storeLink = d.servedUser && d.messageId ? `/store?user=${encodeURIComponent(d.servedUser)}&messageId=${encodeURIComponent(d.messageId)}` : null;
  const sessionLink = d.sessionId ? sessionPath(d.sessionId) : d.callId ? `/sessions?callId=${encodeURIComponent(d.callId)}` : null;
  return (
    <aside className="detail" data-testid="decision-detail" aria-label={`Decision ${d.seq}`}>
      <div className="page-header" style={{ marginBottom: 6 }}>
        <h2>
          Decision #{d.seq} <Pill value={d.outcome} />
        </h2>
        <button type="button" className="btn small" onClick={onClose} aria-label="Close the explanation">
          Close
        </button>
      </div>
      <dl className="kv">
        <div className="kv-row">
          <dt>branch</dt>
          <dd data-testid="detail-branch">{d.branch}</dd>
        </div>
        <div className="kv-row">
          <dt>procedure</dt>
          <dd>{d.procedure}</dd>
        </div>
        <div className="kv-row">
          <dt>time</dt>
          <dd>{new Date(d.at).toLocaleString()}</dd>
        </div>
        <div className="kv-row">
          <dt>message-id</dt>
          <dd>{d.messageId ?? '—'}</dd>
        </div>
        <div className="kv-row">
          <dt>disposition</dt>
          <dd>{d.disposition ?? '—'}</dd>
        </div>
        <div className="kv-row">
          <dt>call-id</dt>
          <dd>{d.callId ?? '—'}</dd>
        </div>
      </dl>
      <h3>The rule</h3>
      <p data-testid="detail-summary">{d.summary}</p>
      <h3>Inputs that decided it</h3>
      <KeyValues value={d.inputs} testId="detail-inputs" />
      <h3>Go to</h3>
      <div className="links">
        {d.servedUser && (
          <Link href={userPath(d.servedUser)} data-testid="link-user">
            User {d.servedUser}
          </Link>
        )}
        {storeLink && (
          <Link href={storeLink} data-testid="link-message">
            Message in the store
          </Link>
        )}
        {d.messageId && <Link href={`/decisions?messageId=${encodeURIComponent(d.messageId)}`}>All decisions on this message</Link>}
        {sessionLink && (
          <Link href={sessionLink} data-testid="link-session">
            Session
          </Link>
        )}
      </div>
    </aside>
  );
}
