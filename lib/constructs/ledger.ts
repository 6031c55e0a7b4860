import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { LEDGER_PARTITION_KEY, LEDGER_SORT_KEY, LEDGER_TTL_ATTRIBUTE } from '../../lambdas/shared/ledger-table';

export interface RemediationLedgerProps {
  /** Keep the table (and its audit history) when the stack is deleted. @default true */
  readonly retainOnDelete?: boolean;
}

const LEDGER_ITEM_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'];

/** The remediation ledger: every incident, every intent and outcome. Point-in-time recovery on. */
export class RemediationLedger extends Construct {
  public readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: RemediationLedgerProps = {}) {
    super(scope, id);
    const retain = props.retainOnDelete ?? true;
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: LEDGER_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      sortKey: { name: LEDGER_SORT_KEY, type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      timeToLiveAttribute: LEDGER_TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: retain,
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
  }

  /**
   * Lets the function read and write ledger rows and tells it the table name. Only the item
   * operations the ledger code uses: no DeleteItem or BatchWriteItem, so no handler can erase an
   * audit row, and no Scan.
   */
  bind(fn: lambda.Function): void {
    fn.addEnvironment('LEDGER_TABLE', this.table.tableName);
    this.table.grant(fn, ...LEDGER_ITEM_ACTIONS);
  }

  grantRead(grantee: iam.IGrantable): void {
    this.table.grantReadData(grantee);
  }
}
