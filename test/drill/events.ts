import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A second delivery of a recorded event: EventBridge gives it a new id, nothing else changes. */
export function duplicateOf(file: string): string {
  const event = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', file), 'utf8')) as { id: string };
  event.id = `${event.id.slice(0, -4)}dup1`;
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'drill-')), path.basename(file));
  fs.writeFileSync(out, JSON.stringify(event));
  return out;
}
