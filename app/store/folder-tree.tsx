'use client';
// A user's folders (conversation histories with their session histories under them) and the
// objects in each, with flags and, for Group State Objects, the participant snapshot.
import { useEffect, useRef } from 'react';
import type { FolderView, StoredObjectView } from '../../server/http/queries/message-store';
import { KeyValues } from '../_components/key-values';

function Participants({ value }: { value: unknown }) {
  const list = Array.isArray(value) ? value : value && typeof value === 'object' ? Object.entries(value as Record<string, unknown>).map(([k, v]) => ({ entity: k, ...(v as object) })) : [];
  if (list.length === 0) return <span className="muted">no snapshot</span>;
  return (
    <ul className="audit-changes" data-testid="gso-participants">
      {list.map((p, i) => {
        const o = (p && typeof p === 'object' ? p : { entity: String(p) }) as Record<string, unknown>;
        return (
          <li key={i}>
            <span className="mono">{String(o.entity ?? o.uri ?? o.user ?? JSON.stringify(o))}</span>
            {o.displayText || o.name ? ` (${String(o.displayText ?? o.name)})` : ''}
            {o.status || o.state ? <span className="muted"> · {String(o.status ?? o.state)}</span> : null}
          </li>
        );
      })}
    </ul>
  );
}

function ObjectRow({ o, highlight }: { o: StoredObjectView; highlight: boolean }) {
  const ref = useRef<HTMLTableRowElement>(null);
  useEffect(() => {
    if (highlight) ref.current?.scrollIntoView({ block: 'center' });
  }, [highlight]);
  return (
    <tr ref={ref} className={highlight ? 'highlight' : undefined} data-testid="object-row" data-kind={o.kind} data-message-id={o.imdnMessageId ?? ''} data-highlight={highlight || undefined}>
      <td>{o.kind}</td>
      <td className="mono">{o.imdnMessageId ?? '—'}</td>
      <td className="mono">{o.contentType}</td>
      <td data-testid="object-flags">
        {o.flags.length === 0 ? <span className="muted">none</span> : o.flags.map((f) => <span key={f} className="flag">{f}</span>)}
      </td>
      <td>
        {o.kind === 'GSO' && <Participants value={o.participants} />}
        <details>
          <summary>headers and body</summary>
          <KeyValues value={o.headers} />
          <pre className="body">{o.body}</pre>
        </details>
      </td>
      <td className="muted">{new Date(o.createdAt).toLocaleString()}</td>
    </tr>
  );
}

export function FolderTree({ folders, messageId }: { folders: FolderView[]; messageId: string }) {
  const roots = folders.filter((f) => !f.parentId || !folders.some((p) => p.id === f.parentId));
  const children = (id: string) => folders.filter((f) => f.parentId === id);
  const render = (f: FolderView, depth: number) => (
    <section key={f.id} className="folder" style={{ marginLeft: depth * 22 }} data-testid="folder" data-kind={f.kind}>
      <h3>
        {f.kind === 'CONVERSATION' ? 'Conversation' : 'Session history'} <code>{f.kind === 'CONVERSATION' ? f.conversationId : f.contributionId}</code>{' '}
        <span className="muted">· {f.objects.length} object{f.objects.length === 1 ? '' : 's'}</span>
      </h3>
      {f.objects.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Kind</th>
              <th>IMDN Message-ID</th>
              <th>Content-Type</th>
              <th>Flags</th>
              <th>Content</th>
              <th>Stored</th>
            </tr>
          </thead>
          <tbody>
            {f.objects.map((o) => (
              <ObjectRow key={o.id} o={o} highlight={Boolean(messageId) && o.imdnMessageId === messageId} />
            ))}
          </tbody>
        </table>
      )}
      {children(f.id).map((c) => render(c, depth + 1))}
    </section>
  );
  return <>{roots.map((f) => render(f, 0))}</>;
}
