/**
 * Paths in the desktop app's requests: only those the user chose in this session (a dialog, a
 * drop, File → Open Recent) get through to the service; the adapter refuses the rest with a
 * message that says how to choose the file (electron/approved-paths.ts, electron/ipc-adapter.ts
 * with Electron's ipcMain stood in for).
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ApprovedPaths, namedPaths, PATH_CHANNELS } from '../../electron/approved-paths';
import { REQUEST_CHANNELS, requests, type ResponseEnvelope } from '../../shared/contract';
import { SHELL_CHANNELS } from '../../shared/shell';

describe('approved paths', () => {
  it('covers every request channel whose input has a field that names a file or folder', () => {
    const pathLike = REQUEST_CHANNELS.filter((c) =>
      /"(path|dir|input|output|file|folder|filePath|outDir|out)":/.test(JSON.stringify(z.toJSONSchema(requests[c].input, { unrepresentable: 'any', io: 'input' }))),
    );
    expect(pathLike.length).toBeGreaterThanOrEqual(9);
    expect([...PATH_CHANNELS].sort()).toEqual([...pathLike].sort());
  });

  it('reads the paths from the validated input: dataset files, test files, model folders, scoring input and output, export targets', () => {
    expect(namedPaths('dataset:open', { source: { kind: 'file', path: '/d/a.csv' } })).toEqual([{ field: 'source.path', path: '/d/a.csv', access: 'read' }]);
    expect(namedPaths('dataset:open', { source: { kind: 'bundled', name: 'iris' } })).toEqual([]);
    expect(namedPaths('model:score-file', { modelId: 'm', input: '/d/in.csv', output: '/d/out.csv' })).toEqual([
      { field: 'input', path: '/d/in.csv', access: 'read' },
      { field: 'output', path: '/d/out.csv', access: 'write' },
    ]);
    expect(namedPaths('model:export', { modelId: 'm', dir: '/d/model' })).toEqual([{ field: 'dir', path: '/d/model', access: 'write' }]);
    expect(namedPaths('model:load', { dir: '/d/model.zip' })).toEqual([{ field: 'dir', path: '/d/model.zip', access: 'read' }]);
    expect(namedPaths('model:explain', { modelId: 'm', input: '/d/x.csv' })[0]).toMatchObject({ path: '/d/x.csv', access: 'read' });
    // Input the schema rejects names nothing here: the dispatcher answers it with the schema's message.
    expect(namedPaths('model:export', { modelId: 'm', dir: 42 })).toEqual([]);
    expect(namedPaths('run:list', {})).toEqual([]);
  });

  it('refuses a path the user did not choose, naming the channel, the field and the path, and saying what to do', () => {
    const approved = new ApprovedPaths();
    const why = approved.refusal('model:score-file', { modelId: 'm', input: '/d/in.csv', output: '/home/u/.bashrc' });
    expect(why).toMatch(/^model:score-file: input: refused: "\/d\/in\.csv" was not chosen by you\. .*dialogs, dropped on the window or picked from File → Open Recent/);
    approved.approve('/d/in.csv', 'read');
    expect(approved.refusal('model:score-file', { modelId: 'm', input: '/d/in.csv', output: '/home/u/.bashrc' })).toMatch(
      /^model:score-file: output: refused: "\/home\/u\/\.bashrc" was not chosen by you\. Tickwork writes only where you chose in its save dialog/,
    );
    approved.approve('/d/scored.csv', 'write');
    expect(approved.refusal('model:score-file', { modelId: 'm', input: '/d/in.csv', output: '/d/scored.csv' })).toBeNull();
  });

  it('a file chosen for reading is not a place to write; a place chosen for writing may be read', () => {
    const approved = new ApprovedPaths();
    approved.approve('/d/data.csv', 'read');
    expect(approved.refusal('model:score-file', { modelId: 'm', input: '/d/data.csv', output: '/d/data.csv' })).toMatch(/output: refused/);
    expect(approved.refusal('model:export', { modelId: 'm', dir: '/d/data.csv', format: 'zip' })).toMatch(/^model:export: dir: refused/);
    approved.approve('/d/export', 'write');
    expect(approved.refusal('model:export', { modelId: 'm', dir: '/d/export' })).toBeNull();
    expect(approved.refusal('model:load', { dir: '/d/export' })).toBeNull();
  });

  it('compares resolved paths: a chosen file is the same file when spelled with ./ or ..; a neighbour is not', () => {
    const approved = new ApprovedPaths();
    approved.approve('/d/sub/../a.csv', 'read');
    expect(approved.refusal('dataset:open', { source: { kind: 'file', path: '/d/./a.csv' } })).toBeNull();
    for (const path of ['/d/a.csv.bak', '/d/a.csv/../b.csv', '/d', '/d/A.CSV', 'a.csv']) {
      expect(approved.refusal('dataset:open', { source: { kind: 'file', path } }), path).toMatch(/source\.path: refused/);
      expect(approved.refusal('training:start', { datasetId: 'x', config: { target: 'y' }, testSource: { kind: 'file', path } }), path).toMatch(/testSource\.path: refused/);
    }
    // Requests without a path are not touched.
    expect(approved.refusal('dataset:open', { source: { kind: 'bundled', name: 'iris' } })).toBeNull();
    expect(approved.refusal('run:list', {})).toBeNull();
  });
});

// ---------------------------------------------------------------- the IPC adapter, with a stand-in ipcMain

const fake = vi.hoisted(() => ({ ipcMain: null as unknown as import('node:events').EventEmitter & { handlers: Map<string, (...args: unknown[]) => unknown> } }));
vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  const ipcMain = Object.assign(new Emitter(), {
    handlers: new Map<string, (...args: unknown[]) => unknown>(),
    handle(channel: string, handler: (...args: unknown[]) => unknown) {
      ipcMain.handlers.set(channel, handler);
    },
    removeHandler(channel: string) {
      ipcMain.handlers.delete(channel);
    },
  });
  fake.ipcMain = ipcMain;
  return { ipcMain };
});

describe('the IPC adapter refuses paths the user did not choose', () => {
  it('passes chosen paths to the service, refuses others before the service sees them, and approves dropped files', async () => {
    const { serveOverIpc } = await import('../../electron/ipc-adapter');
    const scoreFile = vi.fn(async (input: { output: string }) => ({ rows: 3, output: input.output, warnings: [] }));
    const service = { 'model:score-file': scoreFile, on: () => () => undefined };
    const approved = new ApprovedPaths();
    const shell = {
      openDatasetDialog: async () => null,
      chooseExportFolder: async () => null,
      openModelDialog: async () => null,
      chooseScoredFile: async () => null,
      droppedFile: (path: string) => approved.approve(path, 'read'),
    };
    const stop = serveOverIpc(service as never, shell, () => null, () => [], approved);
    const app = { senderFrame: { url: 'app://tickwork/index.html' } };
    const invoke = (channel: string, input: unknown, event: unknown = app) => fake.ipcMain.handlers.get(channel)!(event, input) as Promise<ResponseEnvelope>;

    const refused = await invoke('model:score-file', { modelId: 'm', input: '/d/in.csv', output: '/home/u/.bashrc' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/^model:score-file: input: refused/) } });
    expect(scoreFile).not.toHaveBeenCalled();

    // A drop from another page is ignored; one from the app's page approves the file for reading.
    fake.ipcMain.emit(SHELL_CHANNELS.droppedFile, { senderFrame: { url: 'https://evil.example/' } }, '/d/in.csv');
    expect(approved.isApproved('/d/in.csv', 'read')).toBe(false);
    fake.ipcMain.emit(SHELL_CHANNELS.droppedFile, app, '/d/in.csv');
    expect(approved.isApproved('/d/in.csv', 'read')).toBe(true);
    expect(await invoke('model:score-file', { modelId: 'm', input: '/d/in.csv', output: '/home/u/.bashrc' })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/output: refused/) } });
    expect(scoreFile).not.toHaveBeenCalled();

    approved.approve('/d/scored.csv', 'write');
    expect(await invoke('model:score-file', { modelId: 'm', input: '/d/in.csv', output: '/d/scored.csv' })).toEqual({ ok: true, result: { rows: 3, output: '/d/scored.csv', warnings: [] } });
    expect(scoreFile).toHaveBeenCalledTimes(1);
    // Another sender is refused whatever it names; bad input still gets the schema's message.
    expect(await invoke('model:score-file', { modelId: 'm', input: '/d/in.csv', output: '/d/scored.csv' }, { senderFrame: { url: 'https://evil.example/' } })).toMatchObject({ ok: false });
    expect(await invoke('model:score-file', { modelId: 'm', input: 7 })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/^model:score-file: invalid input/) } });
    expect(scoreFile).toHaveBeenCalledTimes(1);

    stop();
    expect(fake.ipcMain.handlers.size).toBe(0);
    expect(fake.ipcMain.listenerCount(SHELL_CHANNELS.droppedFile)).toBe(0);
  });
});
