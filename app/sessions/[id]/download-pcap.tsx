'use client';
// "Download pcap": the session ladder's SIP messages as the edge captured them, a file Wireshark
// opens. Fetched first, so a refusal (capture off, messages no longer held) shows as a sentence
// instead of saving an error as a .pcap file.
import { useState } from 'react';

export function DownloadPcap({ id }: { id: string }) {
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function download() {
    setBusy(true);
    setProblem(null);
    try {
      const r = await fetch(`/api/sessions/${encodeURIComponent(id)}/pcap`, { cache: 'no-store' });
      if (!r.ok) {
        const body = (await r.json().catch(() => ({}))) as { error?: string };
        setProblem(body.error ?? `HTTP ${r.status}`);
        return;
      }
      const url = URL.createObjectURL(await r.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = `session-${id.replace(/[^A-Za-z0-9._-]/g, '_')}.pcap`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setProblem(`the PF did not answer (${(err as Error).message})`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <span className="download-pcap">
      <button type="button" className="btn" onClick={() => void download()} disabled={busy} data-testid="download-pcap" title="The SIP messages of this session's ladder as a pcap file for Wireshark">
        Download pcap
      </button>
      {problem && (
        <span className="muted" role="alert" data-testid="download-pcap-problem">
          {' '}
          {problem}
        </span>
      )}
    </span>
  );
}
