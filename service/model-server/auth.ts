/**
 * Access control for the scoring service: one bearer token per server, generated at start (or
 * read from a file the operator keeps), and compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { TickworkError } from '../../shared/errors.js';

/** Shortest token accepted from a file: 16 characters (~96 bits when random base64). */
export const MIN_TOKEN_LENGTH = 16;

/** 32 random bytes, base64url (43 characters). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The token in a file (surrounding whitespace and a trailing newline ignored). */
export async function readTokenFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TickworkError('not_found', `--token-file ${path} does not exist. Write the token into it (one line), or leave the flag out to get a generated token.`);
    throw new TickworkError('io', `Cannot read --token-file ${path}: ${(err as Error).message}`);
  }
  const token = text.trim();
  checkToken(token, `--token-file ${path}`);
  return token;
}

/** A token must be printable ASCII without spaces (it travels in an HTTP header) and long enough. */
export function checkToken(token: string, where: string): void {
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new TickworkError('invalid_input', `${where}: the token has ${token.length} characters; use at least ${MIN_TOKEN_LENGTH} (e.g. the output of "openssl rand -base64 32").`);
  }
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new TickworkError('invalid_input', `${where}: the token may hold only printable ASCII characters without spaces (it is sent in an HTTP header).`);
  }
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * A checker of Authorization headers against the token. Both sides are hashed (the token once)
 * so that the comparison takes the same time whatever the length or content of what was sent.
 */
export function tokenChecker(token: string): (header: string | undefined) => boolean {
  const expected = digest(token);
  return (header) => {
    if (typeof header !== 'string') return false;
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    const equal = timingSafeEqual(digest(match ? match[1] : ''), expected);
    return equal && match !== null;
  };
}

/** One-off form of tokenChecker. */
export function authorized(header: string | undefined, token: string): boolean {
  return tokenChecker(token)(header);
}
