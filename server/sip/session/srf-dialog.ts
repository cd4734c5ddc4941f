// The slice of drachtio-srf's Dialog this shell uses, typed by hand (srf's typings are incomplete),
// and the engine's dialog reference read from it.
import type { SipDialogRef } from '../../engine/model';
import { parseNameAddr } from '../addresses';
import type { SrfRequest, SrfResponseOut } from '../srf-types';

export interface SrfInDialogResponse {
  status: number;
  reason: string;
  body?: string;
  get(name: string): string | undefined;
}

export interface SrfDialog {
  id: string;
  dialogType: string;
  connected: boolean;
  sip: { callId: string; localTag: string; remoteTag: string };
  local: { uri: string; sdp: string; contact: string };
  remote: { uri: string; sdp: string };
  handle(req: SrfRequest, res: SrfResponseOut, next?: () => void): void;
  request(opts: { method: string; headers?: Record<string, string>; body?: string }, cb: (err: Error | null, res?: SrfInDialogResponse) => void): void;
  destroy(opts?: { headers?: Record<string, string> }): Promise<unknown>;
  on(event: 'ack', fn: (req: SrfRequest) => void): void;
  on(event: 'destroy', fn: (req?: SrfRequest) => void): void;
}

export interface SrfDialogs {
  createUAS(req: SrfRequest, res: SrfResponseOut, opts: { localSdp?: string; headers?: Record<string, string> }): Promise<SrfDialog>;
  createUAC(
    uri: string,
    opts: { headers?: Record<string, string>; localSdp?: string; proxy?: string },
    progress?: { cbRequest?: (err: Error | null, req: { cancel(): void }) => void },
  ): Promise<SrfDialog>;
  removeDialog(d: SrfDialog): void;
  bye(fn: (req: SrfRequest, res: SrfResponseOut) => void): void;
  notify(fn: (req: SrfRequest, res: SrfResponseOut) => void): void;
}

function uriOf(v: string | undefined): string | undefined {
  return v === undefined ? undefined : (parseNameAddr(v)?.uri ?? v);
}

export function dialogRef(d: SrfDialog, callIdGeneratedLocally: boolean): SipDialogRef {
  return {
    callId: d.sip.callId,
    localTag: d.sip.localTag,
    remoteTag: d.sip.remoteTag,
    localUri: uriOf(d.local.uri),
    remoteUri: uriOf(d.remote.uri),
    callIdGeneratedLocally,
  };
}
