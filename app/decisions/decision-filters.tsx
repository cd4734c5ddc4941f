'use client';
import { NO_FILTERS, isFiltered, type DecisionFilters } from './filter-decisions';

const DISPOSITIONS = ['delivery', 'display', 'processing', 'interworking'];

export function DecisionFilterBar({ value, outcomes, procedures, onChange }: { value: DecisionFilters; outcomes: string[]; procedures: string[]; onChange: (f: DecisionFilters) => void }) {
  const set = (k: keyof DecisionFilters) => (e: { target: { value: string } }) => onChange({ ...value, [k]: e.target.value });
  return (
    <form className="toolbar" role="search" aria-label="Filter decisions" onSubmit={(e) => e.preventDefault()}>
      <label className="field">
        <span>User</span>
        <input name="user" value={value.user} onChange={set('user')} placeholder="alice" data-testid="filter-user" />
      </label>
      <label className="field">
        <span>Message-ID</span>
        <input name="messageId" value={value.messageId} onChange={set('messageId')} placeholder="m1" data-testid="filter-message-id" />
      </label>
      <label className="field">
        <span>Disposition</span>
        <select name="disposition" value={value.disposition} onChange={set('disposition')} data-testid="filter-disposition">
          <option value="">any</option>
          {DISPOSITIONS.map((d) => (
            <option key={d}>{d}</option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Procedure</span>
        <select name="procedure" value={value.procedure} onChange={set('procedure')} data-testid="filter-procedure">
          <option value="">any</option>
          {[...new Set([...procedures, value.procedure].filter(Boolean))].sort().map((o) => (
            <option key={o}>{o}</option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Outcome</span>
        <select name="outcome" value={value.outcome} onChange={set('outcome')} data-testid="filter-outcome">
          <option value="">any</option>
          {[...new Set([...outcomes, value.outcome].filter(Boolean))].sort().map((o) => (
            <option key={o}>{o}</option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Branch</span>
        <input name="branch" value={value.branch} onChange={set('branch')} placeholder="IMDN-RX-2a" data-testid="filter-branch" />
      </label>
      {isFiltered(value) && (
        <button type="button" className="btn" onClick={() => onChange(NO_FILTERS)}>
          Clear filters
        </button>
      )}
    </form>
  );
}
