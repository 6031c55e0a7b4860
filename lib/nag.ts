import { Validations, type Stack } from 'aws-cdk-lib';

/**
 * cdk-nag findings this app accepts, each with the reason. Everything else fails synth.
 */
export function acknowledgeNagFindings(stack: Stack): void {
  Validations.of(stack).acknowledge(
    {
      id: 'AwsSolutions-IAM4',
      reason: 'Lambda functions use AWSLambdaBasicExecutionRole (CloudWatch Logs only); the log groups are created per function with retention.',
    },
  );
}
