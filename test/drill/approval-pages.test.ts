/** The drill's local stand-in for API Gateway in front of the approval page function. */
import { startApprovalPages, type ApprovalPages } from '../../drill/approval-pages';
import type { DrillFunction } from '../../drill/handlers';

let pages: ApprovalPages;
const seen: unknown[] = [];

beforeAll(async () => {
  pages = await startApprovalPages();
  pages.setFunction({
    name: 'approval-page', arn: 'arn:aws:lambda:sa-east-1:111122223333:function:approval-page', def: {} as DrillFunction['def'],
    handler: async (event: unknown) => {
      seen.push(event);
      return { statusCode: 200, headers: { 'content-type': 'text/html' }, body: 'page' };
    },
  } as DrillFunction);
});
afterAll(() => pages.close());

test('a request id that is not valid percent-encoding (%ZZ) is a 400 page, as API Gateway answers, and never reaches the function', async () => {
  const response = await fetch(`${pages.url}/approvals/%ZZ?approver=alice`);
  expect(response.status).toBe(400);
  expect(response.headers.get('content-type')).toContain('text/html');
  expect(await response.text()).toContain('This address is not valid (malformed percent-encoding). Nothing was changed.');
  expect(seen).toEqual([]);
});

test('a well-formed id reaches the page function decoded', async () => {
  const response = await fetch(`${pages.url}/approvals/apr-%61bc`);
  expect(response.status).toBe(200);
  expect(seen).toEqual([expect.objectContaining({ pathParameters: { requestId: 'apr-abc' } })]);
});
