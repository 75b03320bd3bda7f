import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseChanges } from '../../../lib/core/parse-events';

const EVENTS = join(__dirname, '../../../events');
const load = (file: string): unknown => JSON.parse(readFileSync(join(EVENTS, file), 'utf8'));

describe('parseChanges', () => {
  it('flattens the changes of every event in input order, each keeping the source of its event', () => {
    const { changes, rejected } = parseChanges([
      { source: 'm-1', event: load('ssm/parameter-store-change.update.json') },
      // PutSecretValue with versionStages [AWSCURRENT, blue]: two changes from one record.
      { source: 'm-2', event: load('secretsmanager/cloudtrail.put-secret-value-stages.json') },
      { source: 'm-3', event: load('malformed/missing-detail-name.json') },
      { source: 'm-4', event: load('secretsmanager/cloudtrail.delete-secret-by-name.json') },
    ]);
    expect(changes.map(({ source, change }) => [source, change.kind, change.effect])).toEqual([
      ['m-1', 'Parameter Store Change/Update', { kind: 'value-changed' }],
      ['m-2', 'AWS API Call via CloudTrail/PutSecretValue', { kind: 'value-changed' }],
      ['m-2', 'AWS API Call via CloudTrail/PutSecretValue', { kind: 'label-moved', label: 'blue' }],
      ['m-4', 'AWS API Call via CloudTrail/DeleteSecret', { kind: 'deleted' }],
    ]);
    expect(rejected).toEqual([{ source: 'm-3', reason: 'Parameter Store Change without detail.name' }]);
  });

  it('returns nothing for no input', () => {
    expect(parseChanges([])).toEqual({ changes: [], rejected: [] });
  });
});
