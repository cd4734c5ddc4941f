// Test support: conference-info documents in the shape of EXAMPLES E14–E16, built from a compact
// description so each test states only what matters to it.
export const GROUP = 'sip:grp-7f3a91@cpm-cf.alpha.example';
export const ALICE = 'sip:+15551230001@ims.alpha.example';
export const BOB = 'sip:+15551230002@ims.beta.example';
export const CAROL = 'sip:+15551230003@ims.alpha.example';

export interface DocUser {
  entity: string;
  name?: string;
  state?: 'full' | 'partial' | 'deleted';
  endpoints?: Array<{ entity?: string; status?: string; method?: string; state?: string }>;
}

export function confDoc(opts: {
  version: number;
  state?: 'full' | 'partial' | 'deleted';
  active?: boolean;
  subject?: string;
  users?: DocUser[];
}): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<conference-info xmlns="urn:ietf:params:xml:ns:conference-info" entity="${GROUP}" state="${opts.state ?? 'full'}" version="${opts.version}">`,
  ];
  if (opts.subject !== undefined) lines.push(`  <conference-description><subject>${opts.subject}</subject></conference-description>`);
  if (opts.active !== undefined) {
    lines.push(`  <conference-state><user-count>${opts.users?.length ?? 0}</user-count><active>${opts.active}</active></conference-state>`);
  }
  if (opts.users) {
    lines.push('  <users>');
    for (const u of opts.users) {
      lines.push(`    <user entity="${u.entity}" state="${u.state ?? opts.state ?? 'full'}">`);
      if (u.name) lines.push(`      <display-text>${u.name}</display-text>`);
      for (const e of u.endpoints ?? []) {
        lines.push(`      <endpoint entity="${e.entity ?? u.entity}"${e.state ? ` state="${e.state}"` : ''}>`);
        if (e.status) lines.push(`        <status>${e.status}</status>`);
        if (e.method) lines.push(`        <disconnection-method>${e.method}</disconnection-method>`);
        lines.push('      </endpoint>');
      }
      lines.push('    </user>');
    }
    lines.push('  </users>');
  }
  lines.push('</conference-info>');
  return lines.join('\n');
}

/** E14: full, version 1, active, alice/bob/carol connected. */
export const E14 = confDoc({
  version: 1,
  active: true,
  subject: 'Team lunch',
  users: [
    { entity: ALICE, name: 'Alice', endpoints: [{ status: 'connected' }] },
    { entity: BOB, name: 'Bob', endpoints: [{ status: 'connected' }] },
    { entity: CAROL, name: 'Carol', endpoints: [{ status: 'connected' }] },
  ],
});

/** E15: partial, version 2, bob departed. */
export const E15 = confDoc({
  version: 2,
  state: 'partial',
  users: [{ entity: BOB, endpoints: [{ status: 'disconnected', method: 'departed' }] }],
});

/** E16: full, version 3, inactive; alice/carol booted, bob departed. */
export const E16 = confDoc({
  version: 3,
  active: false,
  subject: 'Team lunch',
  users: [
    { entity: ALICE, name: 'Alice', endpoints: [{ status: 'disconnected', method: 'booted' }] },
    { entity: BOB, name: 'Bob', endpoints: [{ status: 'disconnected', method: 'departed' }] },
    { entity: CAROL, name: 'Carol', endpoints: [{ status: 'disconnected', method: 'booted' }] },
  ],
});
