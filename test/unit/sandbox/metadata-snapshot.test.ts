import { parseFleetMetadata } from '../../../lib/sandbox/metadata-snapshot';

const FLEET = { region: 'us-east-2', account: '123456789012' };
const ARN = 'arn:aws:secretsmanager:us-east-2:123456789012:secret:prod/db-AbCdEf';
const version = (versionId: string, stages: string[]) => ({ versionId, stages, createdDate: '2026-11-28T12:00:00Z' });
const V1 = '9d4cb84b-ad69-40c0-a0ab-cead3EXAMPLE';
const V2 = 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111';

describe('parseFleetMetadata', () => {
  it('accepts no section at all', () => {
    expect(parseFleetMetadata(undefined, FLEET)).toEqual({ ok: true, metadata: undefined });
  });

  it('reads times as ISO-8601 or epoch ms, and fills the defaults', () => {
    const parsed = parseFleetMetadata(
      {
        parameters: [
          { name: '/a', lastModifiedDate: '2026-11-28T12:00:00Z' },
          { name: 'b', lastModifiedDate: 5 },
        ],
        secrets: [{ name: 'prod/db', arn: ARN, versions: [version(V1, ['AWSCURRENT'])] }],
      },
      FLEET,
    );
    expect(parsed).toEqual({
      ok: true,
      metadata: {
        parameters: [
          { name: '/a', type: 'SecureString', version: 1, lastModifiedDate: Date.parse('2026-11-28T12:00:00Z') },
          { name: 'b', type: 'SecureString', version: 1, lastModifiedDate: 5 },
        ],
        secrets: [
          {
            name: 'prod/db',
            arn: ARN,
            versions: [{ versionId: V1, stages: ['AWSCURRENT'], createdDate: Date.parse('2026-11-28T12:00:00Z') }],
          },
        ],
      },
    });
  });

  it.each([
    ['a parameter without a date', { parameters: [{ name: '/a' }] }, /^metadata\.parameters\[0\]\.lastModifiedDate: /],
    [
      'a hierarchical name without its slash',
      { parameters: [{ name: 'a/b', lastModifiedDate: 1 }] },
      /parameters\[0\]\.name/,
    ],
    [
      'x and /x both',
      {
        parameters: [
          { name: 'x', lastModifiedDate: 1 },
          { name: '/x', lastModifiedDate: 1 },
        ],
      },
      /parameters\[1\]\.name: \/x appears twice/,
    ],
    [
      'a value (never kept)',
      { parameters: [{ name: '/a', lastModifiedDate: 1, value: 'hunter2' }] },
      /parameters\[0\]: Unrecognized key: "value"/,
    ],
    [
      'a secret ARN of another account',
      { secrets: [{ name: 'prod/db', arn: ARN.replace('123456789012', '210987654321') }] },
      /secrets\[0\]\.arn: must be arn:aws:secretsmanager:us-east-2:123456789012:secret:prod\/db-XXXXXX/,
    ],
    [
      'a stage on two versions',
      { secrets: [{ name: 'prod/db', versions: [version(V1, ['AWSCURRENT']), version(V2, ['AWSCURRENT'])] }] },
      /secrets\[0\]\.versions: stage AWSCURRENT is on/,
    ],
    ['a date that is no date', { parameters: [{ name: '/a', lastModifiedDate: 'yesterday' }] }, /lastModifiedDate/],
  ])('rejects %s in one line naming the field', (_, section, reason) => {
    const parsed = parseFleetMetadata(section, FLEET);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.reason).toMatch(reason);
      expect(parsed.reason).not.toContain('\n');
    }
  });
});
