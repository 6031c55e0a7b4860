import { LEVELS } from '../domain/approval';
import { executionConsoleUrl, show } from '../domain/message';
import { runbookPage, type Notification } from '../domain/notification';
import { itemsRestoreLines } from '../domain/recorded-items';
import type { NewRequest } from './store';

/** The undo's gate step: its request links to the undo's page, not the runbook's. */
const UNDO_STEP = 'undo';

export interface RequestNotificationInput {
  readonly request: NewRequest;
  readonly approver: string;
  /** The approver's own signed link: it only shows the request; a POST of the page's form decides. */
  readonly link: string;
  /** The gate's question in its own words (lambdas/approval/gate-words.ts). */
  readonly headline: string;
  readonly region: string;
  readonly pagesUrl?: string;
}

/**
 * One approver's request: what fired, the evidence, the exact call, the quorum and the deadline,
 * the runbook's page and the execution; the approver's signed link goes to their email body
 * alone (never the task token, which stays in the ledger). A level after L1 re-sends the question.
 */
export function requestNotification({ request: r, approver, link, headline, region, pagesUrl }: RequestNotificationInput): Notification {
  const resent = r.level !== LEVELS[0];
  const whenSilent = r.ifUnanswered.nextLevel ? `then it goes to ${r.ifUnanswered.nextLevel}` : `then the step's onTimeout applies: ${r.ifUnanswered.onTimeout}`;
  return {
    kind: resent ? 'approval-resent' : 'approval-requested',
    tone: 'question',
    subject: `[${r.gate.severity}${resent ? ` ${r.level}` : ''}] ${headline}`,
    summary: `${approver}, runbook ${r.gate.runbook} ${r.acknowledge ? 'pages you: acknowledge it if you take it on' : 'asks for your decision'} (${r.gate.severity}, escalation level ${r.level}${resent ? ': the previous level let its deadline pass' : ''}): ${headline}`,
    blocks: [
      [
        { label: 'What fired', value: `${r.gate.summary} (at ${r.gate.firedAt})` },
        { label: 'Evidence', value: show(r.gate.evidence) },
        { label: 'Action', value: `${r.gate.operation} on ${r.gate.target}` },
        ...itemsRestoreLines(r.gate.parameters).map((text) => ({ text })),
        { label: 'Exact call', value: show(r.gate.parameters) },
        { text: r.acknowledge ? 'The first person who acknowledges takes it on; the page stops escalating.' : `Needs ${r.requiredApprovals} distinct approver(s); one rejection rejects.` },
        { label: 'Deadline', value: `${r.deadline} (${whenSilent})` },
      ],
    ],
    next: [r.acknowledge
      ? `Acknowledge on your own page before ${r.deadline}: opening it acknowledges nothing, only its Acknowledge button does.`
      : `Decide on your own approval page before ${r.deadline}: opening it decides nothing, only its Approve or Reject button does.`],
    personalLink: { owner: approver, url: link },
    links: [runbookPage(r.gate.step === UNDO_STEP ? UNDO_STEP : r.gate.runbook, pagesUrl), { label: 'Execution', url: executionConsoleUrl(region, r.executionArn) }],
    runbook: r.gate.runbook,
    incidentId: r.incidentId,
    executionArn: r.executionArn,
    resources: [r.gate.target],
    keywords: [r.gate.severity, r.level],
  };
}
