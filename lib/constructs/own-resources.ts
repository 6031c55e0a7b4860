import type { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { IConstruct } from 'constructs';

/** What the autopilot itself runs on: the resources its self-alarms and its dashboard watch. */
export interface OwnResources {
  readonly stateMachines: readonly sfn.StateMachine[];
  readonly functions: readonly lambda.Function[];
  readonly rules: readonly events.Rule[];
  /** Every queue of the stack: each is the dead-letter queue of a rule target, a subscription or an async invoke. */
  readonly deadLetterQueues: readonly sqs.Queue[];
}

/**
 * Found in the construct tree rather than listed by hand, so a state machine, function, rule or
 * queue a future change adds is watched without anyone remembering to. Call it once the stack's
 * resources exist.
 */
export function ownResources(stack: Stack): OwnResources {
  const all = stack.node.findAll();
  const of = <T extends IConstruct>(type: abstract new (...args: never[]) => T): T[] => all.filter((c): c is T => c instanceof type);
  return {
    stateMachines: of(sfn.StateMachine),
    functions: of(lambda.Function),
    rules: of(events.Rule),
    deadLetterQueues: of(sqs.Queue),
  };
}

/** A construct id from a resource's path below the stack: Undo/StateMachine -> Undo-StateMachine. */
export function idOf(resource: IConstruct): string {
  return resource.node.scopes.slice(1).map((s) => s.node.id).join('-');
}
