'use client';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { AuditTrail, type AuditItem } from '../_components/audit-trail';
import { PageHeader } from '../_components/page-header';
import { ErrorState, Loading } from '../_components/states';
import { WhatIfPanel } from '../_components/what-if-panel';
import { api } from '../_lib/api';
import { useJson } from '../_lib/use-json';
import type { PolicyField } from '../../server/http/policy-fields';
import { fromDraft, getPath, toDraft, type Draft } from './policy-draft';

interface PolicyPayload {
  policy: Record<string, unknown> | null;
  overrides: Record<string, unknown>;
  problem: string | null;
  defaults: Record<string, unknown>;
  inForce: Record<string, unknown>;
  fields: PolicyField[];
  audit: AuditItem[];
}

const GROUPS: PolicyField['group'][] = ['BYE', 'Participants', 'IMDN', 'Storage', 'Dispatch', 'User defaults'];

function Control({ f, value, onChange, invalid }: { f: PolicyField; value: string | boolean; onChange: (v: string | boolean) => void; invalid: boolean }) {
  const common = { id: `f-${f.path}`, name: f.path, 'aria-invalid': invalid || undefined, 'aria-describedby': `h-${f.path}`, 'data-testid': `policy-${f.path}` };
  if (f.kind === 'boolean') return <input type="checkbox" {...common} checked={value === true} onChange={(e) => onChange(e.target.checked)} />;
  if (f.kind === 'choice')
    return (
      <select {...common} value={String(value)} onChange={(e) => onChange(e.target.value)}>
        {f.choices?.map((c) => (
          <option key={c}>{c}</option>
        ))}
      </select>
    );
  if (f.kind === 'lines' || f.kind === 'json') return <textarea {...common} rows={3} value={String(value)} onChange={(e) => onChange(e.target.value)} />;
  return <input {...common} inputMode={f.kind === 'integer' ? 'numeric' : undefined} value={String(value)} onChange={(e) => onChange(e.target.value)} />;
}

export default function PolicyPage() {
  const { data, error, reload } = useJson<PolicyPayload>('/api/provider-policy');
  const [draft, setDraft] = useState<Draft | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    if (data) setDraft(toDraft(data.fields, data.policy ?? data.defaults));
  }, [data]);
  const defaults = useMemo(() => (data ? toDraft(data.fields, data.defaults) : {}), [data]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!data || !draft) return;
    const { policy, errors: local } = fromDraft(data.fields, draft);
    if (Object.keys(local).length) {
      setErrors(local);
      setMessage({ ok: false, text: Object.values(local)[0] });
      return;
    }
    const r = await api('PUT', '/api/provider-policy', policy);
    if (!r.ok) {
      const byField: Record<string, string> = {};
      for (const fe of r.fields ?? []) byField[fe.field.replace(/\[\d+\]$/, '')] = fe.message;
      setErrors(byField);
      setMessage({ ok: false, text: r.error });
      return;
    }
    setErrors({});
    setMessage({ ok: true, text: 'Saved and audited. The PF applies the new policy to the next request.' });
    reload();
  };

  return (
    <>
      <PageHeader title="Service-provider policy" sub="The SPEC §2 values this PF runs with. Values that differ from the spec defaults are marked." />
      {error && <ErrorState error={error} onRetry={reload} />}
      {!data && !error && <Loading what="the policy" />}
      {data?.problem && <div className="error-box">The stored policy does not validate: {data.problem}</div>}
      {data && draft && (
        <form onSubmit={submit} noValidate data-testid="policy-form">
          {GROUPS.map((g) => (
            <fieldset key={g} className="panel" style={{ marginBottom: 12 }}>
              <legend style={{ fontWeight: 600, padding: '0 6px' }}>{g}</legend>
              <div className="form-grid">
                {data.fields
                  .filter((f) => f.group === g)
                  .map((f) => {
                    const changed = JSON.stringify(draft[f.path]) !== JSON.stringify(defaults[f.path]);
                    const inForce = getPath(data.inForce, f.path);
                    return (
                      <div className="field" key={f.path} data-changed={changed || undefined}>
                        <label htmlFor={`f-${f.path}`}>
                          <span className="mono" style={{ color: 'var(--text)', whiteSpace: 'normal', overflowWrap: 'anywhere' }}>{f.specName}</span> {changed && <span className="pill tone-info">changed</span>}
                        </label>
                        <Control f={f} value={draft[f.path]} invalid={Boolean(errors[f.path])} onChange={(v) => setDraft({ ...draft, [f.path]: v })} />
                        <small id={`h-${f.path}`}>
                          {f.help}. Default: <code>{String(defaults[f.path]).slice(0, 60) || '—'}</code>
                          {inForce !== undefined && JSON.stringify(inForce) !== JSON.stringify(getPath(data.policy, f.path)) && <> · in force now: <code>{JSON.stringify(inForce)}</code></>}
                        </small>
                        {errors[f.path] && (
                          <span className="field-error" role="alert" data-testid={`error-${f.path}`}>
                            {errors[f.path]}
                          </span>
                        )}
                      </div>
                    );
                  })}
              </div>
            </fieldset>
          ))}
          {message && (
            <p className={message.ok ? 'notice ok' : 'field-error'} role={message.ok ? 'status' : 'alert'} data-testid="policy-message">
              {message.text}
            </p>
          )}
          <div style={{ display: 'flex', gap: 8 }}>
            <button type="submit" className="btn primary" data-testid="policy-save">
              Save policy
            </button>
            <button type="button" className="btn" onClick={() => setDraft(defaults as Draft)}>
              Reset form to spec defaults
            </button>
          </div>
        </form>
      )}
      {data && draft && (
        <WhatIfPanel
          proposal={() => {
            const { policy, errors: local } = fromDraft(data.fields, draft);
            if (Object.keys(local).length) {
              setErrors(local);
              setMessage({ ok: false, text: Object.values(local)[0] });
              return null;
            }
            return { policy };
          }}
          onApplied={reload}
        />
      )}
      {data && (
        <>
          <h2>Audit trail</h2>
          <AuditTrail entries={data.audit} />
        </>
      )}
    </>
  );
}
