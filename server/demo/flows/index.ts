// Every demo flow, in the order the console and `--list` show them.
import { chatInterworkingAfterIsComposing } from './chat-interworking-after-iscomposing';
import { conferenceSubscriptionRelay } from './conference-subscription-relay';
import type { Flow } from '../flow';
import { dlvOfflineDeferred } from './dlv-offline-deferred';
import { dspFeatureTags } from './dsp-feature-tags';
import { dspUnmatchedInvite } from './dsp-unmatched-invite';
import { genNegativeDelivery } from './gen-negative-delivery';
import { genOma10Standalone } from './gen-oma10-standalone';
import { groupCoverageLost } from './group-coverage-lost';
import { groupLeaveOneDevice } from './group-leave-one-device';
import { groupRejoinDeferred } from './group-rejoin-deferred';
import { groupEnded410, groupIdle480 } from './group-released-by-cf';
import { imdnDuplicateDelivery } from './imdn-duplicate-delivery';
import { imdnReadAfterDelivery } from './imdn-read-after-delivery';
import { imdnReadReportSeen } from './imdn-read-report-seen';
import { iwfRelease } from './iwf-release';
import { iwfStreamsOnly } from './iwf-streams-only';
import { pagerOfflineDeferred } from './pager-offline-deferred';
import { smsFallbackInterworking } from './sms-fallback-interworking';

export const FLOWS: Flow[] = [
  imdnDuplicateDelivery,
  imdnReadAfterDelivery,
  smsFallbackInterworking,
  imdnReadReportSeen,
  dlvOfflineDeferred,
  pagerOfflineDeferred,
  genNegativeDelivery,
  genOma10Standalone,
  dspFeatureTags,
  dspUnmatchedInvite,
  groupLeaveOneDevice,
  groupCoverageLost,
  groupRejoinDeferred,
  conferenceSubscriptionRelay,
  groupEnded410,
  groupIdle480,
  iwfRelease,
  iwfStreamsOnly,
  chatInterworkingAfterIsComposing,
];

export function flowById(id: string): Flow | undefined {
  return FLOWS.find((f) => f.id === id);
}
