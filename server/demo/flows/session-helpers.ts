// Setting the scene for session flows: a served user's device joins a group chat hosted by a
// scripted Controlling Function, through the PF (the B2BUA between the device and the CF).
import type { Dialog } from '../../edge/dialog';
import type { ServerRequest } from '../../edge/ua';
import type { FlowContext } from '../flow';
import type { CpmClient } from '../peers/cpm-client';
import type { MsrpPeer } from '../peers/msrp-peer';
import type { NetworkPeer } from '../peers/network-peer';

export interface GroupLegs {
  groupUri: string;
  /** the device's dialog with the PF */
  device: Dialog;
  /** the CF's dialog with the PF */
  cf: Dialog;
  cfInvite: ServerRequest;
}

export async function joinGroup(ctx: FlowContext, device: CpmClient, cf: NetworkPeer, groupId: string): Promise<GroupLegs> {
  const groupUri = cf.groupUri(groupId);
  ctx.step(`${device.name} joins the group chat ${groupUri}`);
  const before = cf.received.length;
  const { final, dialog } = await device.invite(groupUri);
  ctx.expectStatus(`${device.name} joins the group`, final, 200);
  if (!dialog) throw new Error(`the PF did not connect ${device.name} to the group (INVITE answered ${final.status} ${final.reason})`);
  const cfInvite = await cf.waitForRequest('the INVITE for the group', (r) => r.msg.method === 'INVITE', { after: before });
  const cfDialog = cf.dialogOf(cfInvite);
  if (!cfDialog) throw new Error('the CF has no dialog for the INVITE it answered');
  await cf.waitForRequest('the ACK', (r) => r.msg.method === 'ACK' && r.msg.get('call-id') === cfInvite.msg.get('call-id'), { after: before });
  return { groupUri, device: dialog, cf: cfDialog, cfInvite };
}

/**
 * joinGroup with real MSRP endpoints on both sides: the device offers its path and connects to the
 * PF's (a=setup:active), the CF answers passive and the PF connects to it (D-161). The chat then
 * travels over MSRP through the PF's relay.
 */
export async function joinGroupOverMsrp(ctx: FlowContext, device: CpmClient, cf: NetworkPeer, groupId: string): Promise<{ legs: GroupLegs; phoneMsrp: MsrpPeer; cfMsrp: MsrpPeer }> {
  const phoneMsrp = await device.useMsrp();
  const cfMsrp = await cf.useMsrp();
  const legs = await joinGroup(ctx, device, cf, groupId);
  await cfMsrp.accepted(ctx.env.timeoutMs);
  ctx.check(`${device.name} and the CF each hold an MSRP connection to the PF`, phoneMsrp.connected && cfMsrp.connected);
  return { legs, phoneMsrp, cfMsrp };
}
