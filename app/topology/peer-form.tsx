'use client';
// Add or edit one network peer: role, name, address (host:port or a sip: URI).
import { useState, type FormEvent } from 'react';
import { api } from '../_lib/api';

export interface PeerDraft {
  role: string;
  name: string;
  address: string;
}

const ROLE_WORDS: Record<string, string> = { CF: 'Controlling Function', REMOTE_PF: 'remote PF', IWF: 'Interworking Function' };

export function PeerForm({ roles, initial, peerId, onDone, onCancel }: { roles: string[]; initial: PeerDraft; peerId?: string; onDone: () => void; onCancel?: () => void }) {
  const [d, setD] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = peerId ? await api('PUT', `/api/peers/${encodeURIComponent(peerId)}`, d) : await api('POST', '/api/peers', d);
    if (!r.ok) return setError(r.error);
    setError(null);
    if (!peerId) setD({ ...initial, name: '', address: '' });
    onDone();
  };
  const prefix = peerId ? 'edit' : 'new';
  return (
    <form onSubmit={submit} className="toolbar" aria-label={peerId ? 'Edit peer' : 'Add a peer'} data-testid={`${prefix}-peer-form`} noValidate>
      <label className="field">
        <span>Role</span>
        <select value={d.role} onChange={(e) => setD({ ...d, role: e.target.value })} data-testid={`${prefix}-peer-role`}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {r} · {ROLE_WORDS[r] ?? r}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Name</span>
        <input value={d.name} onChange={(e) => setD({ ...d, name: e.target.value })} data-testid={`${prefix}-peer-name`} aria-invalid={error?.startsWith('name') || undefined} />
      </label>
      <label className="field">
        <span>Address (host:port or sip: URI)</span>
        <input value={d.address} onChange={(e) => setD({ ...d, address: e.target.value })} data-testid={`${prefix}-peer-address`} aria-invalid={error?.includes('address') || undefined} placeholder="10.0.0.5:5060" />
      </label>
      <button type="submit" className="btn primary" data-testid={`${prefix}-peer-save`}>
        {peerId ? 'Save' : 'Add peer'}
      </button>
      {onCancel && (
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      )}
      {error && (
        <span className="field-error" role="alert" data-testid={`${prefix}-peer-error`} style={{ flexBasis: '100%' }}>
          {error}
        </span>
      )}
    </form>
  );
}
