// Setting the scene for session flows: a served user's device joins a group chat hosted by a
// scripted Controlling Function, through the PF (the B2BUA between the device and the CF).
import type { Dialog } from '../../edge/dialog';
import type { ServerRequest } from '../../edge/ua';
import type { FlowContext } from '../flow';
import type { CpmClient } from '../peers/cpm-client';
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
