import { changeLines } from '../../../src/console/audit-views';

describe("the audit page's change column", () => {
  it('shows what changed between before and after, and only that', () => {
    expect(
      changeLines(
        { roles: ['approver'], partners: null, name: 'A' },
        { roles: ['finance'], partners: ['acme'], name: 'A' },
      ),
    ).toEqual(['roles: ["approver"] → ["finance"]', 'partners: null → ["acme"]']);
    expect(changeLines(null, { username: 'bo' })).toEqual(['username: "bo"']);
    expect(changeLines({ a: 1 }, {})).toEqual(['a: 1 → (gone)']);
    expect(changeLines(null, null)).toEqual([]);
    expect(changeLines(null, { long: 'x'.repeat(300) })[0]!.length).toBeLessThanOrEqual(130);
  });
});
