/**
 * The prefix of every network namespace this test process makes: its pid, so concurrent test
 * runs never collide and the leftover guard (leftover-guard-environment.ts) finds exactly ours.
 */
export const NETNS_TAG = `tw${process.pid % 100000}x`;
