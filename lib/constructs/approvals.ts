import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { HandlerDef } from '../../runbooks/kit';
import type { ApprovalsConfig } from '../config/schema';
import { HandlerFunction } from './handler-function';
import type { RemediationLedger } from './ledger';
import type { Notifications } from './notifications';

export interface ApprovalsProps {
  readonly config: ApprovalsConfig;
  readonly notifications: Notifications;
  readonly ledger: RemediationLedger;
  /** The approval page handler (lib/catalog.ts approvalPageHandler). */
  readonly page: HandlerDef;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Human-gated steps: the approvals topic (each approver subscribed with a filter policy on the
 * `approver` message attribute, so each receives only their own link), the link-signing key
 * (generated in Secrets Manager, never in an environment variable), and the approval page: an
 * HTTP API with access logs and throttling in front of the page function.
 */
export class Approvals extends Construct {
  public readonly topic: sns.Topic;
  public readonly signingKey: secretsmanager.Secret;
  public readonly api: apigwv2.HttpApi;
  public readonly pageFunction: HandlerFunction;

  constructor(scope: Construct, id: string, props: ApprovalsProps) {
    super(scope, id);
    this.topic = props.notifications.topic('Approvals', 'runbook-autopilot: approval requests (one personal link per approver)');
    for (const approver of props.config.approvers) {
      if (!approver.email) continue;
      this.topic.addSubscription(new subscriptions.EmailSubscription(approver.email, {
        filterPolicy: { approver: sns.SubscriptionFilter.stringFilter({ allowlist: [approver.name] }) },
      }));
    }
    this.signingKey = new secretsmanager.Secret(this, 'SigningKey', {
      description: 'runbook-autopilot: HMAC key that signs approval links and forms',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.pageFunction = new HandlerFunction(this, props.page.id, {
      entry: props.page.entry, description: props.page.description, environment: props.page.environment, timeout: Duration.seconds(15),
    });
    props.ledger.bind(this.pageFunction);
    this.pageFunction.grantPermissions(props.page.permissions);
    this.grantSigningKey(this.pageFunction);

    const accessLogs = new logs.LogGroup(this, 'PageAccessLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN,
    });
    this.api = new apigwv2.HttpApi(this, 'Pages', {
      description: 'runbook-autopilot approval pages: GET shows a request, only a POST of its own form decides',
      createDefaultStage: false,
    });
    this.api.addRoutes({
      path: '/approvals/{requestId}',
      methods: [apigwv2.HttpMethod.GET, apigwv2.HttpMethod.HEAD, apigwv2.HttpMethod.POST],
      integration: new HttpLambdaIntegration('Page', this.pageFunction),
    });
    const stage = new apigwv2.HttpStage(this, 'Stage', {
      httpApi: this.api, stageName: '$default', autoDeploy: true, throttle: { rateLimit: 10, burstLimit: 20 },
    });
    (stage.node.defaultChild as apigwv2.CfnStage).accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId', ip: '$context.identity.sourceIp', time: '$context.requestTime', method: '$context.httpMethod',
        // The path only: the query string carries the link's signature, which stays out of the logs.
        path: '$context.path', status: '$context.status', latency: '$context.responseLatency',
      }),
    };
    // HTTP APIs write access logs through API Gateway's service-linked role: no log group policy needed.

    new CfnOutput(this, 'PagesUrl', { description: 'Base URL of the approval pages (every link in an approval message starts with it)', value: this.baseUrl });

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'Approvers open the page from an email, without an AWS identity: each request is authorized by its HMAC-signed, expiring, per-approver link, and a decision also needs the page\'s own form token and SameSite=Strict cookie (CSRF). GET and HEAD never decide.',
    });
    Validations.of(this.signingKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The key signs links that live at most as long as a request\'s deadline; rotating it (aws secretsmanager rotate-secret with a new random value, or a redeploy) invalidates the open links, so it is rotated by hand between incidents rather than on a schedule. Handlers cache it for 5 minutes.',
    });
  }

  /** The API's base URL, for the links in the messages. */
  get baseUrl(): string {
    return `https://${this.api.apiId}.execute-api.${Stack.of(this).region}.${Stack.of(this).urlSuffix}`;
  }

  /** Lets a request handler send approval requests: publish to the topic, read the signing key. */
  bindRequester(fn: lambda.Function): void {
    fn.addEnvironment('APPROVAL_TOPIC_ARN', this.topic.topicArn);
    fn.addEnvironment('APPROVAL_BASE_URL', this.baseUrl);
    this.topic.grantPublish(fn);
    this.grantSigningKey(fn);
  }

  private grantSigningKey(fn: lambda.Function): void {
    fn.addEnvironment('APPROVAL_SECRET_ID', this.signingKey.secretArn);
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.signingKey.secretArn] }));
  }
}
