/**
 * Text encodings of data files: UTF-16 when the bytes start with its BOM, else UTF-8 (a UTF-8
 * BOM is dropped), and Windows-1252 — a superset of Latin-1 for printable text, what spreadsheet
 * exports on Windows usually are — when the bytes are not valid UTF-8. Shared by the streaming
 * CSV reader and the whole-file JSON readers.
 */
export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/**
 * A decoder for a file that starts with `head`, and how many BOM bytes to skip. UTF-8 decoders
 * are fatal, so invalid bytes throw and the caller can fall back to Windows-1252.
 */
export function decoderFor(head: Uint8Array, forced: Encoding | null = null): { decoder: InstanceType<typeof TextDecoder>; skip: number } {
  let encoding: Encoding = forced ?? 'utf-8';
  if (!forced && head[0] === 0xff && head[1] === 0xfe) encoding = 'utf-16le';
  else if (!forced && head[0] === 0xfe && head[1] === 0xff) encoding = 'utf-16be';
  // ignoreBOM: false (the default) drops a UTF-8 BOM by itself.
  return { decoder: new TextDecoder(encoding, { fatal: encoding === 'utf-8' }), skip: encoding.startsWith('utf-16') ? 2 : 0 };
}

/** A whole file's bytes as text. */
export function decodeText(bytes: Uint8Array): string {
  const { decoder, skip } = decoderFor(bytes);
  try {
    return decoder.decode(bytes.subarray(skip));
  } catch {
    return decoderFor(bytes, 'windows-1252').decoder.decode(bytes);
  }
}
