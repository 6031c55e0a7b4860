/**
 * A deliberately small CloudFormation intrinsic resolver, enough to turn the synthesized IAM
 * policies into the literal documents an IAM evaluator accepts. It understands Ref (pseudo
 * parameters and a few resource types), Fn::GetAtt <resource>.Arn (a few resource types), a
 * state machine's Fn::GetAtt Name, and Fn::Join. Anything else throws, naming where it was found: a policy this cannot resolve must
 * fail the tests, never be evaluated half-resolved.
 */

export interface CfnTemplate {
  readonly Resources: Readonly<Record<string, CfnResource>>;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
}

export interface Environment {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  /** Physical names of resources that do not name themselves are `<stackName>-<logicalId>`. */
  readonly stackName: string;
}

export class UnresolvableIntrinsic extends Error {
  override readonly name = 'UnresolvableIntrinsic';
}

export interface Resolver {
  /** The value with every intrinsic replaced by a literal; throws UnresolvableIntrinsic otherwise. */
  resolve(value: unknown, path?: string): unknown;
  /** The ARN of a resource in the template, as a policy naming it would resolve to. */
  arnOf(logicalId: string): string;
}

export function cfnResolver(template: CfnTemplate, env: Environment): Resolver {
  const arn = (service: string, resource: string) => `arn:${env.partition}:${service}:${env.region}:${env.account}:${resource}`;

  const pseudo: Readonly<Record<string, string>> = {
    'AWS::Partition': env.partition,
    'AWS::Region': env.region,
    'AWS::AccountId': env.account,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': env.stackName,
  };

  const resourceOf = (logicalId: string, path: string): CfnResource => {
    const resource = template.Resources[logicalId];
    if (!resource) throw new UnresolvableIntrinsic(`${path}: no resource "${logicalId}" in the template`);
    return resource;
  };

  /** The resource's own name property if it sets one, else the name CloudFormation would generate (shape only). */
  const physicalName = (logicalId: string, nameProperty: string, path: string): string => {
    const named = resourceOf(logicalId, path).Properties?.[nameProperty];
    if (named === undefined) return `${env.stackName}-${logicalId}`;
    const resolved = resolve(named, `${path}.${nameProperty}`);
    if (typeof resolved !== 'string') throw new UnresolvableIntrinsic(`${path}: ${nameProperty} of ${logicalId} is not a string`);
    return resolved;
  };

  // What `Ref` returns, by resource type, for the types whose Ref is their ARN.
  const refArn: Readonly<Record<string, (id: string, path: string) => string>> = {
    'AWS::SNS::Topic': (id, p) => arn('sns', physicalName(id, 'TopicName', p)),
    'AWS::StepFunctions::StateMachine': (id, p) => arn('states', `stateMachine:${physicalName(id, 'StateMachineName', p)}`),
    // Secrets Manager appends six random characters to the name; any stable suffix stands in for them.
    'AWS::SecretsManager::Secret': (id, p) => arn('secretsmanager', `secret:${physicalName(id, 'Name', p)}-Ab12Cd`),
  };

  // What `Fn::GetAtt [id, "Arn"]` returns, by resource type.
  const getAttArn: Readonly<Record<string, (id: string, path: string) => string>> = {
    'AWS::Lambda::Function': (id, p) => arn('lambda', `function:${physicalName(id, 'FunctionName', p)}`),
    'AWS::DynamoDB::GlobalTable': (id, p) => arn('dynamodb', `table/${physicalName(id, 'TableName', p)}`),
    'AWS::DynamoDB::Table': (id, p) => arn('dynamodb', `table/${physicalName(id, 'TableName', p)}`),
    'AWS::Logs::LogGroup': (id, p) => arn('logs', `log-group:${physicalName(id, 'LogGroupName', p)}:*`),
    'AWS::SQS::Queue': (id, p) => arn('sqs', physicalName(id, 'QueueName', p)),
    'AWS::Events::Rule': (id, p) => arn('events', `rule/${physicalName(id, 'Name', p)}`),
    // A key's id is a UUID chosen at creation; any stable, unique id stands in for it.
    'AWS::KMS::Key': (id) => arn('kms', `key/${id}`),
    // Bucket ARNs name neither region nor account; generated bucket names are lower case.
    'AWS::S3::Bucket': (id, p) => `arn:${env.partition}:s3:::${physicalName(id, 'BucketName', p).toLowerCase()}`,
  };

  function intrinsic(name: string, arg: unknown, path: string): unknown {
    switch (name) {
      case 'Ref': {
        if (typeof arg !== 'string') throw new UnresolvableIntrinsic(`${path}: Ref of a non-string`);
        const p = pseudo[arg];
        if (p !== undefined) return p;
        if (arg.startsWith('AWS::')) throw new UnresolvableIntrinsic(`${path}: unsupported pseudo parameter ${arg}`);
        const type = resourceOf(arg, path).Type;
        const rule = refArn[type];
        if (!rule) throw new UnresolvableIntrinsic(`${path}: no Ref rule for ${type} (${arg})`);
        return rule(arg, path);
      }
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(arg) ? arg : typeof arg === 'string' ? arg.split('.') : [];
        // A state machine's name (the execution-failure notifier reads the history of its executions).
        if (typeof id === 'string' && attribute === 'Name' && resourceOf(id, path).Type === 'AWS::StepFunctions::StateMachine') {
          return physicalName(id, 'StateMachineName', path);
        }
        if (typeof id !== 'string' || attribute !== 'Arn') {
          throw new UnresolvableIntrinsic(`${path}: unsupported Fn::GetAtt ${JSON.stringify(arg)} (only <resource>.Arn, and a state machine's Name)`);
        }
        const type = resourceOf(id, path).Type;
        const rule = getAttArn[type];
        if (!rule) throw new UnresolvableIntrinsic(`${path}: no Fn::GetAtt Arn rule for ${type} (${id})`);
        return rule(id, path);
      }
      case 'Fn::Join': {
        if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string' || !Array.isArray(arg[1])) {
          throw new UnresolvableIntrinsic(`${path}: malformed Fn::Join`);
        }
        const parts = (arg[1] as unknown[]).map((part, i) => resolve(part, `${path}.Fn::Join[${i}]`));
        if (!parts.every((part) => typeof part === 'string')) throw new UnresolvableIntrinsic(`${path}: Fn::Join of a non-string`);
        return parts.join(arg[0]);
      }
      default:
        throw new UnresolvableIntrinsic(`${path}: unsupported intrinsic ${name}`);
    }
  }

  function resolve(value: unknown, path = '$'): unknown {
    if (Array.isArray(value)) return value.map((v, i) => resolve(v, `${path}[${i}]`));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    const [first] = entries;
    if (entries.length === 1 && first && (first[0] === 'Ref' || first[0].startsWith('Fn::'))) {
      return intrinsic(first[0], first[1], path);
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v, `${path}.${k}`)]));
  }

  function arnOf(logicalId: string): string {
    const type = resourceOf(logicalId, logicalId).Type;
    const expr = refArn[type] ? { Ref: logicalId } : { 'Fn::GetAtt': [logicalId, 'Arn'] };
    const resolved = resolve(expr, logicalId);
    if (typeof resolved !== 'string') throw new UnresolvableIntrinsic(`${logicalId}: ARN is not a string`);
    return resolved;
  }

  return { resolve, arnOf };
}
