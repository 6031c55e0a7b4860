/** AWS Query answers: list members are `<member>` unless the model names them (RDS), or `item` (EC2 style). */
import type { ServiceModel } from '../../drill/sandbox/model';
import { encodeOutput } from '../../drill/sandbox/wire';

const queryModel = (extra: Partial<ServiceModel> = {}): ServiceModel => ({ protocol: 'awsQuery', xmlNamespace: 'urn:test', operations: {}, ...extra });
const result = (model: ServiceModel, operation: string, output: Record<string, unknown>) => {
  const { body } = encodeOutput(model, operation, output, 200, 'req-1');
  return /<\w+Result>(.*)<\/\w+Result>/.exec(body)?.[1];
};

test('IAM-style lists write each member as <member>', () => {
  const out = result(queryModel(), 'ListRoles', { Roles: [{ RoleName: 'a', Tags: [{ Key: 'k', Value: 'v' }] }, { RoleName: 'b' }], IsTruncated: false });

  expect(out).toBe(
    '<Roles><member><RoleName>a</RoleName><Tags><member><Key>k</Key><Value>v</Value></member></Tags></member>' +
      '<member><RoleName>b</RoleName></member></Roles><IsTruncated>false</IsTruncated>',
  );
});

test('RDS names its list members: <DBInstances><DBInstance>, nested lists by their own names, the rest <member>', () => {
  const rds = queryModel({ xmlListMembers: { DBInstances: 'DBInstance', VpcSecurityGroups: 'VpcSecurityGroupMembership' } });

  const out = result(rds, 'DescribeDBInstances', {
    DBInstances: [{
      DBInstanceIdentifier: 'cabruca-db',
      VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-1', Status: 'active' }],
      EnabledCloudwatchLogsExports: ['postgresql'],
    }],
  });

  expect(out).toBe(
    '<DBInstances><DBInstance><DBInstanceIdentifier>cabruca-db</DBInstanceIdentifier>' +
      '<VpcSecurityGroups><VpcSecurityGroupMembership><VpcSecurityGroupId>sg-1</VpcSecurityGroupId><Status>active</Status></VpcSecurityGroupMembership></VpcSecurityGroups>' +
      '<EnabledCloudwatchLogsExports><member>postgresql</member></EnabledCloudwatchLogsExports></DBInstance></DBInstances>',
  );
});

test('an EC2-style model names every member <item>; a named list still wins', () => {
  const ec2 = queryModel({ xmlListMembers: { '*': 'item', Special: 'Entry' } });

  expect(result(ec2, 'DescribeThings', { Things: [{ Id: 'i-1', Tags: ['a'] }], Special: ['x'] })).toBe(
    '<Things><item><Id>i-1</Id><Tags><item>a</item></Tags></item></Things><Special><Entry>x</Entry></Special>',
  );
});

test('member values are escaped', () => {
  expect(result(queryModel(), 'Get', { Names: ['<a & "b">'] })).toBe('<Names><member>&#60;a &#38; &#34;b&#34;&#62;</member></Names>');
});
