/** s3-access-denied (seed 003 §3 "S3 Access Issues"): read the bucket's policies, simulate the refused call, page with the verdict. Changes nothing. */
import { runbookMachine, Spine } from '../../statemachines/src/spine';

const spine = new Spine('s3-access-denied');
const { invoke, escalate, catches } = spine;

export default runbookMachine(spine, {
  comment: "s3-access-denied (seed 003 §3 'S3 Access Issues: check bucket policy, versioning, the execution role's policy'): admit -> read the bucket's policy, Block Public Access, default encryption (and for SSE-KMS its key policy) and versioning, and simulate the refused call with IAM's policy simulator -> page with the verdict, the evidence and the statement that would allow it, as a proposal. Read-only: nothing in the account changes; 'fix bucket permissions' stays a person's.",
  admitted: 'Diagnose access',
  states: [
    {
      'Diagnose access': invoke('DiagnoseFunctionArn', {
        comment: "Seed 003 §3 'check bucket policy, versioning, the execution role': GetBucketPolicy (none is an answer), GetPublicAccessBlock, GetBucketEncryption and for SSE-KMS kms:GetKeyPolicy, GetBucketVersioning; iam:SimulatePrincipalPolicy for the event's principal (or the configured agent roles, for an alarm) on the action and object ARN with the bucket policy as resource policy; the verdict names the policy that refuses the call.",
        result: ['bucket', 'asked', 'verdict', 'findings', 'proposal', 'evidence', 'simulations', 'summary'],
        at: '$.diagnosis',
        catch: [catches(['TargetNotFound'], 'Escalate: bucket not found'), catches(['TargetNotAllowed'], 'Escalate: not a configured bucket')],
        next: 'Page: the access verdict',
      }),
      'Page: the access verdict': escalate('$.diagnosis.summary', {
        comment: "Seed 003 §3 'fix bucket permissions' is a person's: the critical topic gets the verdict in one sentence, the evidence, and the statement that would allow the call, marked as a proposal (never applied).",
        evidence: '$.diagnosis',
      }),
      'Escalate: bucket not found': escalate('the bucket named by the alarm or event does not exist (NoSuchBucket): its policies cannot be read', { error: '$.error' }),
      'Escalate: not a configured bucket': escalate('the alarm or event names a bucket that is not a configured target of s3-access-denied: its roles are unknown', { error: '$.error' }),
    },
  ],
});
