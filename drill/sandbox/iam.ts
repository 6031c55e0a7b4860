import { AwsError } from './aws-error';
import { evaluate, type SourcePolicy } from './iam-evaluation';
import { Fields, isRecord, type Input } from './input';
import type { Output, ServiceContext, ServiceModel } from './model';
import type { IamUserState } from './state';

/**
 * IAM (AWS Query): SimulatePrincipalPolicy for a seeded role, evaluating its inline policies and
 * the request's ResourcePolicy in IAM's order (iam-evaluation.ts says what is modelled), one
 * result per action and resource. NoSuchEntity 404 for a principal that is not a seeded role;
 * InvalidInput 400 for a malformed request or an unmodelled condition operator.
 * ListAccessKeys and UpdateAccessKey on seeded users' access keys (ids and statuses; a key is never
 * deleted here): NoSuchEntity 404 for a user or key that does not exist, ValidationError 400 for a
 * malformed key id or status, and for a call without UserName (the drill's caller is a role).
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

/** IAM's validation error (AWS Query: code ValidationError), as the API model words it. */
const validation = (member: string, constraint: string, value: string) =>
  new AwsError('ValidationError', 400, `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`);

/** The user a key call names. Without UserName IAM acts on the caller, which must then be a user: the drill's caller is a role. */
function userOf(fields: Fields, state: ServiceContext['state']): { name: string; user: IamUserState } {
  const name = fields.optString('UserName');
  if (name === undefined) throw new AwsError('ValidationError', 400, 'Must specify userName when calling with non-User credentials');
  if (!/^[\w+=,.@-]{1,128}$/.test(name)) throw validation('userName', 'Member must satisfy regular expression pattern: [\\w+=,.@-]+', name);
  const user = state.iam?.users?.[name];
  if (user === undefined) throw new AwsError('NoSuchEntity', 404, `The user with name ${name} cannot be found.`);
  return { name, user };
}

function listAccessKeys(input: Input, { state }: ServiceContext): Output {
  const { name, user } = userOf(new Fields(input), state);
  return {
    AccessKeyMetadata: Object.entries(user.accessKeys).map(([id, k]) => ({ UserName: name, AccessKeyId: id, Status: k.status, CreateDate: k.createDate })),
    IsTruncated: false,
  };
}

function updateAccessKey(input: Input, { state }: ServiceContext): Output {
  const fields = new Fields(input);
  const id = fields.optString('AccessKeyId');
  if (id === undefined) throw new AwsError('ValidationError', 400, "1 validation error detected: Value null at 'accessKeyId' failed to satisfy constraint: Member must not be null");
  if (id.length < 16 || id.length > 128) throw validation('accessKeyId', 'Member must have length between 16 and 128', id);
  if (!/^\w+$/.test(id)) throw validation('accessKeyId', 'Member must satisfy regular expression pattern: [\\w]+', id);
  const status = fields.optString('Status');
  if (status === undefined) throw new AwsError('ValidationError', 400, "1 validation error detected: Value null at 'status' failed to satisfy constraint: Member must not be null");
  if (status !== 'Active' && status !== 'Inactive') throw validation('status', 'Member must satisfy enum value set: [Active, Inactive]', status);
  const { user } = userOf(fields, state);
  const key = user.accessKeys[id];
  if (key === undefined) throw new AwsError('NoSuchEntity', 404, `The Access Key with id ${id} cannot be found.`);
  key.status = status;
  return {};
}

export const iamModel: ServiceModel = {
  protocol: 'awsQuery',
  xmlNamespace: 'https://iam.amazonaws.com/doc/2010-05-08/',
  operations: {
    SimulatePrincipalPolicy: { mutating: false, run: simulatePrincipalPolicy },
    ListAccessKeys: { mutating: false, run: listAccessKeys },
    UpdateAccessKey: { mutating: true, run: updateAccessKey },
  },
};
