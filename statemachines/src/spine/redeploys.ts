/**
 * Services redeployed one at a time: each forced deployment's rollout is watched to completion
 * before the next service is touched, so a rollout that fails stops the plan there. A dry run plans
 * each call and watches nothing.
 */
import type { Catcher, Fields, States } from '../asl';
import type { Spine } from './tasks';
import { pollUntilDone } from './verify';

export interface RedeployOneAtATime {
  readonly names: {
    readonly start: string; readonly more: string; readonly redeploy: string;
    readonly watch: { readonly start: string; readonly check: string; readonly decide: string; readonly wait: string };
  };
  readonly comments: { readonly start: string; readonly more: string; readonly redeploy: string; readonly decide: string };
  /** The "cluster/service" keys, in order (a path to an array). */
  readonly services: string;
  /** Where the loop keeps its index, count and the service at hand. */
  readonly at: string;
  /** The redeploy step: its function, the ledger step name, and what else it is told (an approval). */
  readonly redeploy: { readonly fn: string; readonly step: string; readonly at: string; readonly payload?: Fields; readonly catch: readonly Catcher[] };
  /** The rollout check, polled per service. */
  readonly watch: { readonly fn: string; readonly at: string; readonly payload?: Fields; readonly catch: readonly Catcher[] };
  /** Every service rolled out (or, in a dry run, planned). */
  readonly done: string;
  /** A rollout that failed or ran out of time. */
  readonly givenUp: string;
}

export function redeployOneAtATime(spine: Spine, r: RedeployOneAtATime): States {
  const target = `${r.at}.target`;
  return {
    [r.names.start]: {
      Type: 'Pass', Comment: r.comments.start,
      Parameters: { index: 0, 'count.$': `States.ArrayLength(${r.services})` }, ResultPath: r.at, Next: r.names.more,
    },
    [r.names.more]: {
      Type: 'Choice', Comment: r.comments.more,
      Choices: [{ Variable: `${r.at}.index`, NumericLessThanPath: `${r.at}.count`, Next: 'Take the next service' }],
      Default: r.done,
    },
    'Take the next service': {
      Type: 'Pass',
      Parameters: { 'index.$': `${r.at}.index`, 'count.$': `${r.at}.count`, 'target.$': `States.ArrayGetItem(${r.services}, ${r.at}.index)` },
      ResultPath: r.at, Next: r.names.redeploy,
    },
    [r.names.redeploy]: spine.mutation(r.redeploy.fn, {
      comment: r.comments.redeploy,
      payload: { step: r.redeploy.step, 'target.$': target, ...r.redeploy.payload }, at: r.redeploy.at,
      catch: r.redeploy.catch, next: 'Dry run: next service?',
    }),
    'Dry run: next service?': {
      Type: 'Choice', Comment: 'A dry run planned the call and made none: nothing rolls out, so it plans the next one.',
      Choices: [{ Variable: `${r.redeploy.at}.planned`, BooleanEquals: true, Next: 'Next service' }],
      Default: r.names.watch.start,
    },
    ...pollUntilDone(spine, {
      names: r.names.watch, fn: r.watch.fn, at: r.watch.at, payload: { ...r.watch.payload, 'target.$': target }, reports: ['service'], canFail: true,
      catch: r.watch.catch, decideComment: r.comments.decide, done: 'Next service', givenUp: r.givenUp,
    }),
    'Next service': {
      Type: 'Pass', Parameters: { 'index.$': `States.MathAdd(${r.at}.index, 1)`, 'count.$': `${r.at}.count` }, ResultPath: r.at, Next: r.names.more,
    },
  };
}
