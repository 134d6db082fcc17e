/**
 * The desktop host asks "Replace?" when the service refuses to write over something Tickwork did
 * not write, and repeats the request with force only when the user says yes.
 */
import { describe, expect, it } from 'vitest';
import { TickworkError } from '../../../shared/errors';
import type { TickworkApi } from '../../../shared/contract';
import type { TickworkShell } from '../../../shared/shell';
import { DesktopHost } from '../../../renderer/lib/desktop-host';

function hostWith(answer: boolean) {
  const calls: Array<{ force?: boolean }> = [];
  const asked: string[] = [];
  const api = {
    exportModel: async (input: { force?: boolean; dir: string }) => {
      calls.push(input);
      if (!input.force) throw new TickworkError('exists', `${input.dir} already exists and is not a Tickwork model zip, so it was left as it is.`);
      return { dir: input.dir, files: ['model.json'], quantization: null };
    },
  } as unknown as TickworkApi;
  const shell = { chooseExportFolder: async () => '/home/me/report.docx' } as unknown as TickworkShell;
  const host = new DesktopHost(api, shell, (message) => (asked.push(message), answer));
  return { host, calls, asked };
}

describe('desktop host: Replace?', () => {
  it('asks with the service\'s message and repeats with force on yes', async () => {
    const { host, calls, asked } = hostWith(true);
    const r = await host.exportModel('m1', 'none', 'model');
    expect(r).toEqual({ where: '/home/me/report.docx', quantization: null });
    expect(calls.map((c) => c.force)).toEqual([false, true]);
    expect(asked[0]).toContain('/home/me/report.docx already exists and is not a Tickwork model zip');
    expect(asked[0]).toContain('Replace?');
  });

  it('writes nothing on no', async () => {
    const { host, calls } = hostWith(false);
    expect(await host.exportModel('m1', 'none', 'model')).toBeNull();
    expect(calls.map((c) => c.force)).toEqual([false]);
  });
});
