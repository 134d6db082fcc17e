/**
 * WebSocket at the byte level, for sending what no client library would: a raw upgrade over a
 * TCP socket, then frames built by hand (any opcode, RSV bits, mask or none, a length that
 * lies). Used by the hostile-input suite.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface RawFrame {
  fin?: boolean;
  rsv?: number; // 0..7
  opcode: number; // 0..15
  mask?: boolean;
  payload: Uint8Array;
  /** The length to announce, when it should differ from the payload's. */
  announce?: number | bigint;
}

export function encodeFrame(f: RawFrame): Buffer {
  const payload = Buffer.from(f.payload);
  const length = BigInt(f.announce ?? payload.length);
  const first = ((f.fin ?? true) ? 0x80 : 0) | ((f.rsv ?? 0) << 4) | (f.opcode & 0x0f);
  const maskBit = f.mask === false ? 0 : 0x80;
  let head: Buffer;
  if (length < 126n) head = Buffer.from([first, maskBit | Number(length)]);
  else if (length < 65536n) {
    head = Buffer.alloc(4);
    head[0] = first;
    head[1] = maskBit | 126;
    head.writeUInt16BE(Number(length), 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = first;
    head[1] = maskBit | 127;
    head.writeBigUInt64BE(length & 0xffffffffffffffffn, 2);
  }
  if (f.mask === false) return Buffer.concat([head, payload]);
  const key = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ key[i % 4]));
  return Buffer.concat([head, key, masked]);
}

export interface RawUpgrade {
  socket: Socket;
  /** The status line of the server's answer to the upgrade. */
  status: string;
  /** Bytes after the handshake (frames from the server). */
  received: () => Buffer;
  closed: Promise<void>;
}

/** Open a TCP connection and ask for a WebSocket upgrade; resolves once the server answers. */
export function rawUpgrade(port: number, path: string, headers: Record<string, string> = {}): Promise<RawUpgrade> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let answered = false;
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer to the upgrade within 5 s'));
    }, 5000);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const end = data.indexOf('\r\n\r\n');
      if (!answered && end >= 0) {
        answered = true;
        clearTimeout(timer);
        const status = data.subarray(0, data.indexOf('\r\n')).toString('latin1');
        const start = end + 4;
        resolve({ socket, status, received: () => data.subarray(start), closed });
      }
    });
    socket.once('close', () => {
      if (!answered) {
        clearTimeout(timer);
        resolve({ socket, status: '(closed without an answer)', received: () => Buffer.alloc(0), closed });
      }
    });
    const all = {
      Host: `127.0.0.1:${port}`,
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
      'Sec-WebSocket-Version': '13',
      ...headers,
    };
    const lines = Object.entries(all).filter(([, v]) => v !== '').map(([k, v]) => `${k}: ${v}`);
    socket.write(`GET ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
  });
}

/** Send raw bytes on a new TCP connection; resolves with what came back (the first 2 KB) once closed or after `waitMs`. */
export function rawHttp(port: number, bytes: string | Buffer, waitMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let out = '';
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(out.slice(0, 2048));
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      out += chunk.toString('latin1');
    });
    socket.once('close', finish);
    socket.write(bytes);
  });
}

/** The close code in the first close frame the server sent, if any. */
export function closeCode(bytes: Buffer): number | null {
  let i = 0;
  while (i + 2 <= bytes.length) {
    const opcode = bytes[i] & 0x0f;
    let len = bytes[i + 1] & 0x7f;
    let at = i + 2;
    if (len === 126) {
      len = bytes.readUInt16BE(at);
      at += 2;
    } else if (len === 127) {
      len = Number(bytes.readBigUInt64BE(at));
      at += 8;
    }
    if (opcode === 0x8) return len >= 2 ? bytes.readUInt16BE(at) : 1005;
    i = at + len;
  }
  return null;
}
