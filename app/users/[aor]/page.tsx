'use client';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useMemo, useState } from 'react';
import { AuditTrail, type AuditItem } from '../../_components/audit-trail';
import { PageHeader } from '../../_components/page-header';
import { Pill } from '../../_components/pill';
import { EmptyState, ErrorState, Loading } from '../../_components/states';
import { api, decodeSegment } from '../../_lib/api';
import { useJson } from '../../_lib/use-json';
import type { ContactView } from '../../../server/http/queries/users';
import type { EffectivePrefs, PolicyRuleView } from '../../../server/http/queries/policy-rules';
import { draftOf, RuleEditor } from './rule-editor';

interface UserDetail {
  aor: string;
  displayName: string | null;
  contacts: ContactView[];
  rules: PolicyRuleView[];
  effective: EffectivePrefs;
  audit: AuditItem[];
}

const show = (v: boolean | null) => (v === null ? <span className="muted">not set</span> : v ? 'allow' : 'deny');

export default function UserPage() {
  const aor = decodeSegment(useParams().aor);
  const { data, error, status, reload } = useJson<UserDetail>(`/api/users/${encodeURIComponent(aor)}`);
  const [editing, setEditing] = useState<PolicyRuleView | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const initial = useMemo(() => draftOf(editing ?? data?.rules.find((r) => r.ruleId === 'cpm') ?? data?.rules[0] ?? null), [editing, data]);

  if (error && status === 404) return <EmptyState title={`${aor} is not a served user.`}><Link href="/users">All users</Link></EmptyState>;
  const remove = async (ruleId: string) => {
    const r = await api('DELETE', `/api/users/${encodeURIComponent(aor)}/rules/${encodeURIComponent(ruleId)}`);
    setDeleteError(r.ok ? null : r.error);
    reload();
  };
  return (
    <>
      <PageHeader
        title={<span className="mono">{aor}</span>}
        sub={data?.displayName ?? 'Served user'}
        actions={
          <>
            <Link className="btn" href={`/decisions?user=${encodeURIComponent(aor)}`}>Decisions</Link>
            <Link className="btn" href={`/sessions?user=${encodeURIComponent(aor)}`}>Sessions</Link>
            <Link className="btn" href={`/store?user=${encodeURIComponent(aor)}`}>Message store</Link>
          </>
        }
      />
      {error && <ErrorState error={error} onRetry={reload} />}
      {!data && !error && <Loading what="the user" />}
      {data && (
        <>
          <h2>Registered clients</h2>
          {data.contacts.length === 0 ? (
            <EmptyState title="No client is registered." testId="no-contacts">Messages for this user are deferred or stored as the preferences below say.</EmptyState>
          ) : (
            <table data-testid="contacts">
              <thead>
                <tr>
                  <th>Contact</th>
                  <th>User-Agent</th>
                  <th>From</th>
                  <th className="num">Expires in</th>
                </tr>
              </thead>
              <tbody>
                {data.contacts.map((c) => (
                  <tr key={c.contact} data-testid="contact-row">
                    <td className="mono wrap">{c.contact}</td>
                    <td>{c.userAgent ?? '—'}</td>
                    <td className="mono">{c.source}</td>
                    <td className="num">{c.expiresInSec} s</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}

          <h2>CPM preferences</h2>
          <div className="cards" data-testid="effective-prefs" style={{ marginBottom: 12 }}>
            {(['allowOfflineStorage', 'allowStore', 'allowDefer'] as const).map((k) => (
              <div className="card" key={k} data-testid={`effective-${k}`} data-value={String(data.effective[k])}>
                <div className="label">{k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}</div>
                <div className="value">
                  <Pill value={data.effective[k] ? 'ALLOW' : 'DENY'} />
                </div>
                <div className="hint">in force for CPM ({data.effective.cpmRules} CPM rule{data.effective.cpmRules === 1 ? '' : 's'})</div>
              </div>
            ))}
          </div>
          {data.rules.length === 0 ? (
            <EmptyState title="No preference rule.">Without a rule every action is false (SPEC §11.6, as an XDMS 404). Add one below.</EmptyState>
          ) : (
            <table data-testid="rules">
              <thead>
                <tr>
                  <th>Rule</th>
                  <th>Service enablers</th>
                  <th>allow-offline-storage</th>
                  <th>allow-store</th>
                  <th>allow-defer</th>
                  <th>Changed</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {data.rules.map((r) => (
                  <tr key={r.ruleId} data-testid="rule-row" data-rule={r.ruleId}>
                    <td className="mono">{r.ruleId}</td>
                    <td>{r.serviceEnablers.join(', ')}</td>
                    <td data-testid="rule-offline">{show(r.allowOfflineStorage)}</td>
                    <td data-testid="rule-store">{show(r.allowStore)}</td>
                    <td data-testid="rule-defer">{show(r.allowDefer)}</td>
                    <td className="muted">{new Date(r.updatedAt).toLocaleString()}</td>
                    <td style={{ whiteSpace: 'nowrap' }}>
                      <button type="button" className="btn small" onClick={() => setEditing(r)}>
                        Edit
                      </button>{' '}
                      <button type="button" className="btn small danger" onClick={() => void remove(r.ruleId)} aria-label={`Delete rule ${r.ruleId}`}>
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {deleteError && <p className="field-error">{deleteError}</p>}
          <div style={{ marginTop: 12 }}>
            <RuleEditor aor={aor} initial={initial} onSaved={reload} />
          </div>
          <h2>Audit trail</h2>
          <AuditTrail entries={data.audit} />
        </>
      )}
    </>
  );
}
