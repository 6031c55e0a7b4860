import { AwsError } from './aws-error';
import { evaluate, type SourcePolicy } from './iam-evaluation';
import { Fields, isRecord, type Input } from './input';
import type { Output, ServiceContext, ServiceModel } from './model';

/**
 * IAM (AWS Query): SimulatePrincipalPolicy for a seeded role, evaluating its inline policies and
 * the request's ResourcePolicy in IAM's order (iam-evaluation.ts says what is modelled), one
 * result per action and resource. NoSuchEntity 404 for a principal that is not a seeded role;
 * InvalidInput 400 for a malformed request or an unmodelled condition operator.
 */

/** An AWS Query list (`ActionNames.member.1`), as the decoder rebuilt it. */
function queryList(value: unknown): unknown[] {
  if (value === undefined) return [];
  if (!isRecord(value) || !isRecord(value.member)) throw new AwsError('InvalidInput', 400, 'Invalid list');
  return Object.entries(value.member).sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => v);
}

const strings = (value: unknown, member: string): string[] => queryList(value).map((v) => {
  if (typeof v !== 'string') throw new AwsError('InvalidInput', 400, `Invalid value in ${member}`);
  return v;
});

function simulatePrincipalPolicy(input: Input, { state }: ServiceContext): Output {
  const fields = new Fields(input);
  const source = fields.string('PolicySourceArn');
  const actions = strings(input.ActionNames, 'ActionNames');
  if (actions.length === 0) throw new AwsError('ValidationError', 400, "1 validation error detected: Value null at 'actionNames' failed to satisfy constraint: Member must not be null");
  const resources = strings(input.ResourceArns, 'ResourceArns');
  const role = Object.entries(state.iam?.roles ?? {}).find(([, r]) => r.arn === source);
  if (role === undefined) throw new AwsError('NoSuchEntity', 404, `The role with name ${source.split('/').at(-1) ?? source} cannot be found.`);
  const identity: SourcePolicy[] = Object.entries(role[1].policies).map(([id, text]) => ({ id, type: 'role', text }));
  const resourcePolicy = fields.optString('ResourcePolicy');
  const context: Record<string, string[]> = {};
  for (const entry of queryList(input.ContextEntries)) {
    if (!isRecord(entry) || typeof entry.ContextKeyName !== 'string') throw new AwsError('InvalidInput', 400, 'A context entry needs a ContextKeyName');
    context[entry.ContextKeyName] = strings(entry.ContextKeyValues, 'ContextKeyValues');
  }
  const results = actions.flatMap((action) => (resources.length === 0 ? ['*'] : resources).map((resourceArn) => {
    const e = evaluate({
      principal: source, identity, resource: resourcePolicy === undefined ? null : { id: 'ResourcePolicy', type: 'resource', text: resourcePolicy },
      action, resourceArn, context,
    });
    return { EvalActionName: action, EvalResourceName: resourceArn, EvalDecision: e.decision, MatchedStatements: e.matched, MissingContextValues: e.missingContext };
  }));
  return { EvaluationResults: results, IsTruncated: false };
}

export const iamModel: ServiceModel = {
  protocol: 'awsQuery',
  xmlNamespace: 'https://iam.amazonaws.com/doc/2010-05-08/',
  operations: {
    SimulatePrincipalPolicy: { mutating: false, run: simulatePrincipalPolicy },
  },
};
