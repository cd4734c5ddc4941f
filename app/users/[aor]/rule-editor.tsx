'use client';
// The CPM preference editor: one rule of the user's policy document (allow-offline-storage,
// allow-store, allow-defer), each action set to allow, deny or left unset.
import { useEffect, useState, type FormEvent } from 'react';
import { WhatIfPanel } from '../../_components/what-if-panel';
import { api } from '../../_lib/api';
import type { PolicyRuleView } from '../../../server/http/queries/policy-rules';

type Tri = '' | 'true' | 'false';
const ACTIONS = [
  ['allowOfflineStorage', 'allow-offline-storage', 'store messages for the user while no client is connected'],
  ['allowStore', 'allow-store', 'record the conversation history in the Message Store'],
  ['allowDefer', 'allow-defer', 'hold messages and notifications until a client registers'],
] as const;

export interface RuleDraft {
  ruleId: string;
  serviceEnablers: string;
  allowOfflineStorage: Tri;
  allowStore: Tri;
  allowDefer: Tri;
}

const tri = (v: boolean | null): Tri => (v === null ? '' : v ? 'true' : 'false');
const fromTri = (v: Tri): boolean | null => (v === '' ? null : v === 'true');

export function draftOf(rule: PolicyRuleView | null): RuleDraft {
  if (!rule) return { ruleId: 'cpm', serviceEnablers: 'CPM', allowOfflineStorage: '', allowStore: '', allowDefer: '' };
  return { ruleId: rule.ruleId, serviceEnablers: rule.serviceEnablers.join(', '), allowOfflineStorage: tri(rule.allowOfflineStorage), allowStore: tri(rule.allowStore), allowDefer: tri(rule.allowDefer) };
}

function ruleBody(d: RuleDraft) {
  return {
    ruleId: d.ruleId,
    serviceEnablers: d.serviceEnablers.split(',').map((s) => s.trim()).filter(Boolean),
    allowOfflineStorage: fromTri(d.allowOfflineStorage),
    allowStore: fromTri(d.allowStore),
    allowDefer: fromTri(d.allowDefer),
  };
}

export function RuleEditor({ aor, initial, onSaved }: { aor: string; initial: RuleDraft; onSaved: () => void }) {
  const [d, setD] = useState<RuleDraft>(initial);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => setD(initial), [initial]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setSaved(false);
    const r = await api('PUT', `/api/users/${encodeURIComponent(aor)}/rules`, ruleBody(d));
    setBusy(false);
    if (!r.ok) return setError(r.error);
    setError(null);
    setSaved(true);
    onSaved();
  };
  const badField = (name: string) => (error && error.startsWith(name) ? true : undefined);

  return (
    <form className="panel" onSubmit={submit} aria-labelledby="rule-editor-h" data-testid="rule-editor" noValidate>
      <h2 id="rule-editor-h" style={{ marginTop: 0 }}>
        Edit a preference rule
      </h2>
      <div className="form-grid">
        <label className="field">
          <span>Rule id</span>
          <input name="ruleId" value={d.ruleId} onChange={(e) => setD({ ...d, ruleId: e.target.value })} aria-invalid={badField('ruleId')} required data-testid="rule-id" />
        </label>
        <label className="field">
          <span>Service enablers (comma-separated)</span>
          <input name="serviceEnablers" value={d.serviceEnablers} onChange={(e) => setD({ ...d, serviceEnablers: e.target.value })} aria-invalid={badField('service')} data-testid="rule-enablers" />
        </label>
        {ACTIONS.map(([key, label, help]) => (
          <label className="field" key={key}>
            <span>{label}</span>
            <select name={key} value={d[key]} onChange={(e) => setD({ ...d, [key]: e.target.value as Tri })} data-testid={`rule-${label}`} aria-describedby={`${key}-help`}>
              <option value="">not set</option>
              <option value="true">allow (true)</option>
              <option value="false">deny (false)</option>
            </select>
            <small id={`${key}-help`}>{help}</small>
          </label>
        ))}
      </div>
      {error && (
        <p className="field-error" role="alert" data-testid="rule-error">
          {error}
        </p>
      )}
      {saved && (
        <p className="notice ok" role="status" data-testid="rule-saved">
          Saved and audited. The PF applies it to the next request.
        </p>
      )}
      <div style={{ display: 'flex', gap: 8, marginTop: 10 }}>
        <button type="submit" className="btn primary" disabled={busy} data-testid="rule-save">
          Save rule
        </button>
        <button type="button" className="btn" onClick={() => setD(draftOf(null))}>
          New rule
        </button>
      </div>
      <WhatIfPanel proposal={() => ({ user: aor, rule: ruleBody(d) })} onApplied={onSaved} />
    </form>
  );
}
