// The MSRP test endpoint lives with the demo peers (server/demo/peers/msrp-peer.ts), which use it too.
export * from '../../server/demo/peers/msrp-peer';
