import { describe, expect, it } from 'vitest';
import { defaultIgnored, runDoctor } from '../../models/data/doctor';
import { parseDelimited } from '../../models/data/csv';
import { profileTable } from '../../models/data/schema';

function messy() {
  const lines = ['customer_id,const,city,age,refund_issued,churn,amount'];
  for (let i = 0; i < 200; i++) {
    const churn = i % 20 === 0 ? 'yes' : 'no';
    lines.push(`${5000 + i},7,${['Oslo', 'Rome', 'Lima'][i % 3]},${18 + ((i * 7) % 60)},${churn === 'yes' ? 1 : 0},${churn},${(i * 1.37).toFixed(2)}`);
  }
  lines.push(lines[5]);
  return parseDelimited(lines.join('\n') + '\n', { name: 'messy.csv', source: 'messy.csv' });
}

describe('the data check', () => {
  it('finds identifier, constant, duplicates, imbalance (with class weights) and leakage, by column', () => {
    const table = messy();
    const findings = runDoctor(table, profileTable(table), { target: 'churn' });
    const byCode = Object.fromEntries(findings.map((f) => [f.code, f]));
    expect(findings.map((f) => f.code).sort()).toEqual(['constant', 'duplicates', 'identifier', 'imbalance', 'leakage']);
    expect(byCode.identifier.column).toBe('customer_id');
    expect(byCode.constant.column).toBe('const');
    expect(byCode.duplicates.message).toMatch(/^1 row\(s\)/);
    expect(byCode.imbalance.message).toContain('Suggested class weights (balanced): no: 0.53, yes: 10.05');
    expect(byCode.leakage.column).toBe('refund_issued');
    expect(findings.every((f) => f.severity === 'warning')).toBe(true);
    expect([...defaultIgnored(profileTable(table), table.rowCount, 'churn').entries()]).toEqual([
      ['customer_id', 'identifier'],
      ['const', 'constant'],
    ]);
  });

  it('blocks training on a single-class target, a target missing everywhere, and non-numeric cells in a used numeric column', () => {
    const single = parseDelimited('a,y\n' + Array.from({ length: 30 }, (_, i) => `${i % 5},same`).join('\n') + '\n', { name: 's.csv', source: '' });
    expect(runDoctor(single, profileTable(single), { target: 'y' }).filter((f) => f.severity === 'error').map((f) => f.code)).toEqual(['constant', 'single_class']);
    const dirty = parseDelimited('a,y\n' + Array.from({ length: 30 }, (_, i) => `${i === 4 ? 'oops' : i % 5},${i % 2}`).join('\n') + '\n', { name: 'd.csv', source: '' });
    const f = runDoctor(dirty, profileTable(dirty), { target: 'y' }).find((x) => x.code === 'non_numeric')!;
    expect(f.severity).toBe('error');
    expect(f.message).toContain('line 6 has "oops"');
    const empty = parseDelimited('a,y\n1,\n2,\n3,NA\n', { name: 'e.csv', source: '' });
    expect(runDoctor(empty, profileTable(empty), { target: 'y' }).find((x) => x.code === 'target_missing')!.severity).toBe('error');
  });

  it('finds high-cardinality categoricals and leakage through a numeric threshold or correlation', () => {
    const lines = ['code,score,value,y'];
    for (let i = 0; i < 300; i++) lines.push(`c${i % 120},${i},${(i * 2 + 1).toFixed(1)},${i < 150 ? 'a' : 'b'}`);
    const table = parseDelimited(lines.join('\n') + '\n', { name: 'h.csv', source: '' });
    const findings = runDoctor(table, profileTable(table), { target: 'y' });
    expect(findings.find((f) => f.code === 'high_cardinality')!.column).toBe('code');
    // "score" runs 0…299 without a gap: that reads as a row number, so it is an identifier.
    expect(findings.find((f) => f.code === 'identifier')!.column).toBe('score');
    expect(findings.filter((f) => f.code === 'leakage').map((f) => f.column)).toEqual(['value']);
    const lines2 = ['noise,x,target'];
    for (let i = 0; i < 100; i++) lines2.push(`${Math.sin(i * 7).toFixed(3)},${(i * 0.37).toFixed(2)},${(i * 0.74 + 3).toFixed(2)}`);
    const reg = parseDelimited(lines2.join('\n') + '\n', { name: 'r.csv', source: '' });
    const leak = runDoctor(reg, profileTable(reg), { target: 'target' }).find((f) => f.code === 'leakage')!;
    expect(leak.column).toBe('x');
    expect(leak.message).toContain('correlated 1.000');
  });

  it('says nothing about a clean dataset', () => {
    const lines = ['x1,x2,y'];
    for (let i = 0; i < 100; i++) lines.push(`${Math.sin(i).toFixed(4)},${Math.cos(i * 1.3).toFixed(4)},${i % 3}`);
    const table = parseDelimited(lines.join('\n') + '\n', { name: 'c.csv', source: '' });
    expect(runDoctor(table, profileTable(table), { target: 'y' })).toEqual([]);
  });
});
