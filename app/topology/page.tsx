'use client';
import { useState } from 'react';
import { AuditTrail, type AuditItem } from '../_components/audit-trail';
import { PageHeader } from '../_components/page-header';
import { EmptyState, ErrorState, Loading } from '../_components/states';
import { api } from '../_lib/api';
import { useJson } from '../_lib/use-json';
import type { PeerView } from '../../server/http/queries/topology';
import { PeerForm } from './peer-form';

interface TopologyPayload {
  domain: string;
  sip: { host: string; port: number; transports: string[] };
  roles: string[];
  peers: PeerView[];
  audit: AuditItem[];
}

export default function TopologyPage() {
  const { data, error, reload } = useJson<TopologyPayload>('/api/topology');
  const [editing, setEditing] = useState<string | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const remove = async (p: PeerView) => {
    const r = await api('DELETE', `/api/peers/${encodeURIComponent(p.id)}`);
    setDeleteError(r.ok ? null : r.error);
    reload();
  };
  return (
    <>
      <PageHeader title="Topology" sub="The domain this PF serves and the network peers it knows: who is a Controlling Function, a remote PF or an IWF." />
      {error && <ErrorState error={error} onRetry={reload} />}
      {!data && !error && <Loading what="the topology" />}
      {data && (
        <>
          <div className="cards">
            <div className="card">
              <div className="label">Served domain</div>
              <div className="value mono" data-testid="served-domain">
                {data.domain}
              </div>
            </div>
            <div className="card">
              <div className="label">SIP</div>
              <div className="value mono" style={{ fontSize: 16 }}>
                {data.sip.host}:{data.sip.port}
              </div>
              <div className="hint">{data.sip.transports.join(', ')}</div>
            </div>
            {data.roles.map((r) => (
              <div className="card" key={r}>
                <div className="label">{r}</div>
                <div className="value" data-testid={`count-${r}`}>
                  {data.peers.filter((p) => p.role === r).length}
                </div>
              </div>
            ))}
          </div>
          <h2>Peers</h2>
          {data.peers.length === 0 ? (
            <EmptyState title="No peer is configured.">Requests from unknown addresses are treated as coming from clients. Add the CF, remote PFs and IWFs below.</EmptyState>
          ) : (
            <table data-testid="peers">
              <thead>
                <tr>
                  <th>Role</th>
                  <th>Name</th>
                  <th>Address</th>
                  <th>Added</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {data.peers.map((p) =>
                  editing === p.id ? (
                    <tr key={p.id}>
                      <td colSpan={5}>
                        <PeerForm roles={data.roles} initial={p} peerId={p.id} onDone={() => (setEditing(null), reload())} onCancel={() => setEditing(null)} />
                      </td>
                    </tr>
                  ) : (
                    <tr key={p.id} data-testid="peer-row" data-name={p.name}>
                      <td>{p.role}</td>
                      <td>{p.name}</td>
                      <td className="mono" data-testid="peer-address">
                        {p.address}
                      </td>
                      <td className="muted">{new Date(p.createdAt).toLocaleString()}</td>
                      <td style={{ whiteSpace: 'nowrap' }}>
                        <button type="button" className="btn small" onClick={() => setEditing(p.id)} aria-label={`Edit ${p.name}`}>
                          Edit
                        </button>{' '}
                        <button type="button" className="btn small danger" onClick={() => void remove(p)} aria-label={`Delete ${p.name}`}>
                          Delete
                        </button>
                      </td>
                    </tr>
                  ),
                )}
              </tbody>
            </table>
          )}
          {deleteError && <p className="field-error">{deleteError}</p>}
          <h2>Add a peer</h2>
          <div className="panel">
            <PeerForm roles={data.roles} initial={{ role: data.roles[0], name: '', address: '' }} onDone={reload} />
          </div>
          <h2>Audit trail</h2>
          <AuditTrail entries={data.audit} />
        </>
      )}
    </>
  );
}
