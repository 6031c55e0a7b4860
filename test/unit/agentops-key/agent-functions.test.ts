import { agentFunctions } from '../../../runbooks/agentops-key/agent-functions';

test('the configured agent functions are read from AGENT_FUNCTIONS, and any other is refused as TargetNotAllowed', () => {
  process.env.AGENT_FUNCTIONS = JSON.stringify(['qa-agent', 'engineer-agent']);
  const fns = agentFunctions();
  expect(fns.names).toEqual(['qa-agent', 'engineer-agent']);
  expect(() => fns.assertConfigured('qa-agent')).not.toThrow();
  expect(() => fns.assertConfigured('billing')).toThrow(expect.objectContaining({ name: 'TargetNotAllowed', message: 'billing is not a configured agent function of agentops-key' }));
});
