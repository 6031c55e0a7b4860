import { AwsError, validationError } from './aws-error';
import { epochSeconds } from './common';
import { Fields, type Input } from './input';
import type { ServiceContext, ServiceModel } from './model';
import { arn, type AccountState } from './state';

/**
 * Systems Manager Parameter Store (JSON 1.1): GetParameter, GetParameters and PutParameter with
 * versions; a SecureString keeps its KMS key (the default aws/ssm key when a put names none, as in
 * AWS) and reads back as ciphertext without decryption.
 */

const TYPES = ['String', 'StringList', 'SecureString'] as const;

const parameterNotFound = () =>
  new AwsError('ParameterNotFound', 400, "The parameter couldn't be found. Verify the name and try again.");

/** A name, an ARN, or either with a :version selector. */
function parseName(state: AccountState, ref: string): { name: string; version: number | undefined } {
  const prefix = `arn:aws:ssm:${state.region}:${state.accountId}:parameter`;
  let rest = ref.startsWith(prefix) ? ref.slice(prefix.length) : ref;
  const selector = /^(.*):(\d+)$/.exec(rest);
  if (selector?.[1] !== undefined) rest = selector[1];
  return { name: rest, version: selector?.[2] === undefined ? undefined : Number(selector[2]) };
}

function getParameter(input: Input, { state }: ServiceContext) {
  const fields = new Fields(input);
  return { Parameter: readParameter(state, fields.string('Name'), fields.optBool('WithDecryption') ?? false) };
}

/** At most ten names a call (AWS's limit); names that do not exist come back in InvalidParameters, not as an error. */
const MAX_NAMES = 10;

function getParameters(input: Input, { state }: ServiceContext) {
  const fields = new Fields(input);
  const names = fields.optStrings('Names');
  if (names === undefined) throw validationError('names', 'Member must not be null');
  if (names.length < 1 || names.length > MAX_NAMES) {
    throw validationError('names', `Member must have length less than or equal to ${MAX_NAMES}`, `[${names.join(', ')}]`);
  }
  const decrypt = fields.optBool('WithDecryption') ?? false;
  const found: ReturnType<typeof readParameter>[] = [];
  const invalid: string[] = [];
  // Each name once, as AWS answers a repeated one.
  for (const ref of [...new Set(names)]) {
    try {
      found.push(readParameter(state, ref, decrypt));
    } catch (e: unknown) {
      if (!(e instanceof AwsError) || (e.code !== 'ParameterNotFound' && e.code !== 'ParameterVersionNotFound')) throw e;
      invalid.push(ref);
    }
  }
  return { Parameters: found, InvalidParameters: invalid };
}

function readParameter(state: AccountState, ref: string, decrypt: boolean) {
  const { name, version } = parseName(state, ref);
  const param = state.ssm.parameters[name];
  if (param === undefined) throw parameterNotFound();
  const chosen =
    version === undefined || version === param.version
      ? { version: param.version, value: param.value, lastModified: param.lastModified }
      : param.history.find((h) => h.version === version);
  if (chosen === undefined) {
    throw new AwsError('ParameterVersionNotFound', 400, `Systems Manager could not find version ${version} of ${name}. Verify the version and try again.`);
  }
  const value =
    param.type === 'SecureString' && !decrypt ? Buffer.from(`sandbox-kms:${chosen.value}`).toString('base64') : chosen.value;
  return {
    Name: name,
    Type: param.type,
    Value: value,
    Version: chosen.version,
    ...(version === undefined ? {} : { Selector: `:${version}` }),
    LastModifiedDate: epochSeconds(chosen.lastModified),
    ARN: arn.ssmParameter(state, name),
    DataType: 'text',
  };
}

/** The account's default key for SecureStrings, used when a put names none. */
const DEFAULT_KEY = 'alias/aws/ssm';

function putParameter(input: Input, ctx: ServiceContext) {
  const fields = new Fields(input);
  const name = fields.string('Name');
  const value = fields.string('Value');
  const type = fields.optString('Type');
  if (type !== undefined && !TYPES.some((t) => t === type)) {
    throw validationError('type', 'Member must satisfy enum value set: [SecureString, StringList, String]', type);
  }
  const validType = TYPES.find((t) => t === type);
  const existing = ctx.state.ssm.parameters[name];
  const keyId = fields.optString('KeyId');
  if (keyId !== undefined && (validType ?? existing?.type) !== 'SecureString') {
    throw new AwsError('ValidationException', 400, 'KeyId is only valid for SecureString parameters.');
  }
  const now = ctx.now().toISOString();
  if (existing === undefined) {
    if (validType === undefined) {
      throw new AwsError('ValidationException', 400, 'A parameter type is required when you create a parameter.');
    }
    ctx.state.ssm.parameters[name] = { type: validType, value, version: 1, lastModified: now, history: [], ...(validType === 'SecureString' ? { keyId: keyId ?? DEFAULT_KEY } : {}) };
    return { Version: 1, Tier: 'Standard' };
  }
  if (fields.optBool('Overwrite') !== true) {
    throw new AwsError(
      'ParameterAlreadyExists',
      400,
      'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
    );
  }
  existing.history.push({ version: existing.version, value: existing.value, lastModified: existing.lastModified });
  existing.version += 1;
  existing.value = value;
  existing.lastModified = now;
  if (validType !== undefined) existing.type = validType;
  // Like AWS: a SecureString overwritten without a KeyId is encrypted with the default key from then on.
  if (existing.type === 'SecureString') existing.keyId = keyId ?? DEFAULT_KEY;
  else delete existing.keyId;
  return { Version: existing.version, Tier: 'Standard' };
}

/**
 * The call log keeps what a SecureString put names, never the value it writes; a put that names no
 * type may be overwriting a SecureString, so only a String or StringList value is kept.
 */
function recordedPut(input: Input): Input {
  return input.Type === 'String' || input.Type === 'StringList' ? input : { ...input, Value: `(value of a ${String(input.Type ?? 'typeless')} put, ${String(input.Value ?? '').length} characters: not recorded)` };
}

export const ssmModel: ServiceModel = {
  protocol: 'awsJson1_1',
  target: 'AmazonSSM',
  operations: {
    GetParameter: { mutating: false, run: getParameter },
    GetParameters: { mutating: false, run: getParameters },
    PutParameter: { mutating: true, run: putParameter, recorded: recordedPut },
  },
};
